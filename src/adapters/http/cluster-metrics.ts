import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

const ASK = 'authsvc:metrics?';
const ANSWER = 'authsvc:metrics';
const DEADLINE_MS = 3_000;
let answering: unknown;

interface Answer {
  type: typeof ANSWER;
  id: string;
  text?: string;
}

/**
 * The text /metrics answers. In a cluster worker, the metrics of every worker summed by the primary (prom-client's
 * AggregatorRegistry; the gauges every worker measures alike take the maximum), so a scrape that reaches any
 * worker sees the whole service; this worker's own when the primary does not answer in time. Elsewhere, the
 * registry's own.
 */
export function metricsText(registry: Registry): Promise<string> {
  if (!cluster.isWorker || !process.send) return registry.metrics();
  const id = randomUUID();
  return new Promise<string>((resolve) => {
    const done = (text: string | undefined) => {
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(text ?? registry.metrics());
    };
    const onMessage = (message: Answer) => {
      if (message?.type === ANSWER && message.id === id) done(message.text);
    };
    const timer = setTimeout(() => done(undefined), DEADLINE_MS);
    process.on('message', onMessage);
    process.send!({ type: ASK, id });
  });
}

/** In a cluster worker, from start-up: lets the primary collect this registry's metrics (prom-client's listener). */
export function shareWithPrimary(registry: Registry): void {
  if (!cluster.isWorker) return;
  AggregatorRegistry.setRegistries([registry]);
  answering ??= new AggregatorRegistry();
}

/** In the primary: answers the workers' requests for the service's metrics with every worker's, summed. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: string }) => {
    if (message?.type !== ASK) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id: message.id, text }),
      () => worker.send({ type: ANSWER, id: message.id }),
    );
  });
}
