/**
 * `npm run kafka`: a single local Apache Kafka broker (KRaft) for development, run from the same Maven Central
 * jars as the tests (Java 17+ and Maven needed; no Docker). It creates the `user-events` topic (3 partitions),
 * prints the KAFKA_BROKERS value to use, and runs until Ctrl-C. Plain text and no authentication, on 127.0.0.1.
 *
 *   npm run kafka                      port 9092, data in ./data/kafka (kept across runs)
 *   npm run kafka -- --port 19092      another port (0: any free one)
 *   npm run kafka -- --data DIR        another data folder
 *   npm run kafka -- --fresh           empty the data folder first
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { KAFKA_VERSION, startApacheKafka } from '../test/support/apache-kafka.js';
import { createTopic } from '../test/support/test-kafka.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(option('port') ?? 9092);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number (0: any free one), not ${option('port')}`);
  process.exit(2);
}
const dataDir = resolve(option('data') ?? 'data/kafka');
const topic = option('topic') ?? 'user-events';
if (process.argv.includes('--fresh')) rmSync(dataDir, { recursive: true, force: true });

console.error(`Starting Apache Kafka ${KAFKA_VERSION} (the first run fetches it with Maven)...`);
const cluster = await startApacheKafka({ nodes: 1, port, dataDir, heap: '512m' });
await createTopic(cluster.brokers, topic, 3); // a topic kept from an earlier run stays as it is
console.error(`Apache Kafka ${KAFKA_VERSION} is up; data in ${dataDir}, topic ${topic}. Ctrl-C stops it.`);
console.log(`KAFKA_BROKERS=${cluster.brokers.join(',')}`);

await new Promise<void>((done) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
});
await cluster.nodes[0]!.stop();
