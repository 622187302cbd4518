import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { skipped } from './hooks.js';

export interface TestKafka {
  brokers: string[];
  /** The broker's name for what it is: the tests log it. */
  kind: 'environment' | 'testcontainers' | 'librdkafka-mock';
  createTopic(name: string, partitions: number): Promise<void>;
  /** Makes the broker unreachable and back; only the mock cluster can (undefined elsewhere). */
  outage?: { down(): Promise<void>; up(): Promise<void> };
  dispose(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const MOCK_SOURCE = join(here, 'kafka', 'mock-broker.c');
const MOCK_BINARY = resolve(here, '../../node_modules/.cache/authsvc/mock-broker');

/**
 * Kafka brokers for a suite: TEST_KAFKA_BROKERS when given, else a testcontainers Kafka when a Docker engine
 * answers, else librdkafka's mock cluster (a real Kafka-protocol broker on loopback) when librdkafka-dev is
 * installed, else undefined.
 */
export async function testKafka(): Promise<TestKafka | undefined> {
  const given = process.env.TEST_KAFKA_BROKERS;
  if (given) return onBrokers(given.split(','), 'environment', async () => undefined);
  return (await startContainer()) ?? startMockCluster();
}

function onBrokers(brokers: string[], kind: TestKafka['kind'], dispose: () => Promise<void>): TestKafka {
  return {
    brokers,
    kind,
    async createTopic(topic, numPartitions) {
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
      } finally {
        await admin.disconnect();
      }
    },
    dispose,
  };
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
    kind: 'librdkafka-mock',
    createTopic: (name, partitions) => command(`topic ${name} ${partitions}`),
    outage: { down: () => command('down 1'), up: () => command('up 1') },
    async dispose() {
      child.stdin.end();
      await new Promise((done) => child.once('exit', done));
    },
  };
}

/** For a suite's `before` hook: brokers, or the suite is skipped (loudly), or failed with REQUIRE_INTEGRATION=1. */
export async function kafkaFor(ctx: Mocha.Context): Promise<TestKafka> {
  ctx.timeout(180_000);
  const kafka = await testKafka();
  if (!kafka) {
    const title = ctx.test?.parent?.fullTitle() ?? 'a Kafka suite';
    if (process.env.REQUIRE_INTEGRATION === '1') {
      throw new Error(`${title}: REQUIRE_INTEGRATION=1 but no Kafka: set TEST_KAFKA_BROKERS, run Docker, or install librdkafka-dev`);
    }
    skipped.push(`${title} (no Kafka: set TEST_KAFKA_BROKERS, run Docker, or install librdkafka-dev)`);
    ctx.skip();
  }
  return kafka!;
}
