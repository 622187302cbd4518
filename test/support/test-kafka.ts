import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { apacheKafkaUnavailable, startApacheKafka, type ApacheKafkaCluster, type ClusterOptions } from './apache-kafka.js';
import { skipped } from './hooks.js';

export interface TestKafka {
  brokers: string[];
  /** What a service or relay on these brokers is given: KAFKA_BROKERS, and what the broker cannot do. */
  env: Record<string, string>;
  /** The broker's name for what it is: the tests log it. */
  kind: 'environment' | 'apache-kafka' | 'testcontainers' | 'librdkafka-mock';
  /** A fresh topic, its leaders elected and known to every broker. */
  createTopic(name: string, partitions: number, config?: { replicationFactor?: number }): Promise<void>;
  /** Makes the broker unreachable and back; only brokers this process runs can (undefined elsewhere). */
  outage?: { down(): Promise<void>; up(): Promise<void> };
  /** The nodes, for the tests that kill or stop them: only on clusters this process runs. */
  cluster?: ApacheKafkaCluster;
  /** Releases the suite's hold; a broker shared by the whole run stays up until the run ends. */
  dispose(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const MOCK_SOURCE = join(here, 'kafka', 'mock-broker.c');
const MOCK_BINARY = resolve(here, '../../node_modules/.cache/authsvc/mock-broker');

/** The brokers named by the environment: KAFKA_BROKERS, or TEST_KAFKA_BROKERS (its older name). */
export function brokersFromEnvironment(): string[] | undefined {
  const given = process.env.KAFKA_BROKERS || process.env.TEST_KAFKA_BROKERS;
  return given
    ? given
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean)
    : undefined;
}

/** With REQUIRE_REAL_KAFKA=1 (CI) only Apache Kafka will do: a fallback to the mock broker is an error. */
const realRequired = () => process.env.REQUIRE_REAL_KAFKA === '1';

let shared: Promise<TestKafka | undefined> | undefined;

/**
 * Kafka brokers for a suite, in this order: KAFKA_BROKERS (or TEST_KAFKA_BROKERS) when given; else one Apache
 * Kafka broker run from Maven Central's jars when Java is installed, started once and shared by every suite of
 * the run (each suite on its own topics); else a testcontainers Kafka when a Docker engine answers; else, said
 * loudly, librdkafka's mock cluster when librdkafka-dev is installed; else undefined.
 */
export function testKafka(): Promise<TestKafka | undefined> {
  const given = brokersFromEnvironment();
  if (given) return Promise.resolve(onBrokers(given, 'environment', async () => undefined));
  shared ??= startShared();
  shared.catch(() => (shared = undefined));
  return shared;
}

async function startShared(): Promise<TestKafka | undefined> {
  // TEST_KAFKA_MOCK=1 picks the mock on purpose (the benchmark compares the two).
  const missing = process.env.TEST_KAFKA_MOCK === '1' ? 'TEST_KAFKA_MOCK=1' : apacheKafkaUnavailable();
  if (!missing) {
    const cluster = await startApacheKafka({ nodes: 1 });
    whenRunEnds(() => cluster.dispose());
    return onCluster(cluster, async () => undefined);
  }
  if (realRequired()) throw new Error(`REQUIRE_REAL_KAFKA=1 but Apache Kafka cannot run here: ${missing}`);
  const container = await startContainer();
  if (container) {
    whenRunEnds(() => container.dispose());
    return { ...container, dispose: async () => undefined };
  }
  const mock = await startMockCluster();
  if (!mock) return undefined;
  warnLoudly(`Apache Kafka cannot run here (${missing}): the event suites run on librdkafka's MOCK broker, which is not Kafka`);
  whenRunEnds(() => mock.dispose());
  return { ...mock, dispose: async () => undefined };
}

/** A cluster of its own for one suite (the failover tests): Apache Kafka nodes, disposed with the suite. */
export async function ownApacheKafka(options: ClusterOptions): Promise<TestKafka | undefined> {
  if (apacheKafkaUnavailable()) return undefined;
  const cluster = await startApacheKafka(options);
  whenRunEnds(() => cluster.dispose());
  return onCluster(cluster, () => cluster.dispose());
}

function onCluster(cluster: ApacheKafkaCluster, dispose: () => Promise<void>): TestKafka {
  const kafka = onBrokers(cluster.brokers, 'apache-kafka', dispose);
  kafka.cluster = cluster;
  kafka.outage = {
    // kill -9 rather than a controlled shutdown, which waits for a controller that is going away too.
    down: async () => void (await Promise.all(cluster.nodes.map((n) => n.kill()))),
    up: async () => void (await Promise.all(cluster.nodes.map((n) => n.start()))),
  };
  return kafka;
}

const atRunEnd: Array<() => Promise<void>> = [];
function whenRunEnds(fn: () => Promise<void>): void {
  atRunEnd.push(fn);
}

/** For the root hook: stops every broker the run started (the process's exit handler is the last resort). */
export async function stopRunBrokers(): Promise<void> {
  await Promise.all(atRunEnd.splice(0).map((fn) => fn().catch(() => undefined)));
  shared = undefined;
}

function warnLoudly(message: string): void {
  const line = '!'.repeat(78);
  console.warn(`\n${line}\n  ${message}\n${line}\n`);
}

function onBrokers(brokers: string[], kind: TestKafka['kind'], dispose: () => Promise<void>): TestKafka {
  return {
    brokers,
    env: { KAFKA_BROKERS: brokers.join(',') },
    kind,
    createTopic: (topic, numPartitions, config = {}) => createTopic(brokers, topic, numPartitions, config.replicationFactor),
    dispose,
  };
}

/**
 * Creates a topic and waits until every partition has a leader that the brokers report: right after creation a
 * broker may not know the topic yet, and kafkajs's own waitForLeaders gives up on the first such answer.
 */
export async function createTopic(brokers: string[], topic: string, numPartitions: number, replicationFactor?: number): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions, ...(replicationFactor ? { replicationFactor } : {}) }],
      waitForLeaders: false,
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const partitions = topics[0]?.partitions ?? [];
        if (partitions.length === numPartitions && partitions.every((p) => p.leader >= 0)) return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`topic ${topic}: no leader for every partition within 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

async function startContainer(): Promise<TestKafka | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer('confluentinc/cp-kafka:7.7.1').withKraft().start();
  const broker = `${container.getHost()}:${container.getMappedPort(9093)}`;
  return onBrokers([broker], 'testcontainers', async () => void (await container.stop()));
}

/** Compiles the mock broker once (cached under node_modules/.cache) when librdkafka's headers are installed. */
function mockBinary(): string | undefined {
  if (existsSync(MOCK_BINARY) && statSync(MOCK_BINARY).mtimeMs >= statSync(MOCK_SOURCE).mtimeMs) return MOCK_BINARY;
  if (!existsSync('/usr/include/librdkafka/rdkafka_mock.h')) return undefined;
  mkdirSync(dirname(MOCK_BINARY), { recursive: true });
  execFileSync('cc', ['-O1', '-o', MOCK_BINARY, MOCK_SOURCE, '-lrdkafka'], { stdio: 'inherit' });
  return MOCK_BINARY;
}

async function startMockCluster(): Promise<TestKafka | undefined> {
  const binary = mockBinary();
  if (!binary) return undefined;
  const child: ChildProcessWithoutNullStreams = spawn(binary, ['1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout });
  const replies: Array<(line: string) => void> = [];
  const bootstrap = new Promise<string>((resolveBootstrap, reject) => {
    child.once('exit', (code) => reject(new Error(`mock broker exited with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('BOOTSTRAP ')) resolveBootstrap(line.slice('BOOTSTRAP '.length));
      else replies.shift()?.(line);
    });
  });
  const command = (text: string) =>
    new Promise<void>((resolveCommand, reject) => {
      replies.push((line) => (line === 'OK' ? resolveCommand() : reject(new Error(`mock broker: ${text}: ${line}`))));
      child.stdin.write(`${text}\n`);
    });
  const brokers = (await bootstrap).split(',');
  return {
    brokers,
    // The mock cluster does not implement InitProducerId, which the idempotent producer needs.
    env: { KAFKA_BROKERS: brokers.join(','), KAFKA_IDEMPOTENT: 'false' },
    kind: 'librdkafka-mock',
    createTopic: (name, partitions) => command(`topic ${name} ${partitions}`),
    outage: { down: () => command('down 1'), up: () => command('up 1') },
    async dispose() {
      child.stdin.end();
      await new Promise((done) => child.once('exit', done));
    },
  };
}

/**
 * For a suite's `before` hook: brokers, or the suite is skipped (loudly), or failed with REQUIRE_INTEGRATION=1
 * or REQUIRE_REAL_KAFKA=1.
 */
export async function kafkaFor(ctx: Mocha.Context): Promise<TestKafka> {
  ctx.timeout(300_000); // the first suite of a run may wait for Maven to fetch the broker
  const kafka = await testKafka();
  if (!kafka) noKafka(ctx, 'set KAFKA_BROKERS, install Java and Maven, run Docker, or install librdkafka-dev');
  return kafka!;
}

/** For the failover suites' `before` hook: Apache Kafka nodes of their own, whatever KAFKA_BROKERS says. */
export async function ownKafkaFor(ctx: Mocha.Context, options: ClusterOptions): Promise<TestKafka> {
  ctx.timeout(300_000);
  const kafka = await ownApacheKafka(options);
  if (!kafka) noKafka(ctx, `Apache Kafka cannot run here: ${apacheKafkaUnavailable()}`);
  return kafka!;
}

function noKafka(ctx: Mocha.Context, hint: string): void {
  const title = ctx.test?.parent?.fullTitle() ?? 'a Kafka suite';
  if (process.env.REQUIRE_INTEGRATION === '1' || realRequired()) {
    throw new Error(`${title}: REQUIRE_INTEGRATION=1 or REQUIRE_REAL_KAFKA=1 but no Kafka: ${hint}`);
  }
  skipped.push(`${title} (no Kafka: ${hint})`);
  ctx.skip();
}
