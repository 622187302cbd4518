/**
 * Apache Kafka brokers in KRaft mode, run from the jars Maven Central publishes (test/support/kafka/pom.xml), for
 * the event tests, `npm run kafka` and `npm run bench`. Every node is broker and controller at once, listens on
 * loopback ports picked at random, and keeps its data in a temporary folder removed when the cluster is disposed.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const POM = join(here, 'kafka', 'pom.xml');
/** Keep equal to `kafka.version` in the pom and the image in docker-compose.yml. */
export const KAFKA_VERSION = '3.9.1';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
// Named after the pom's content, so that a change to it fetches again.
const POM_HASH = createHash('sha256').update(readFileSync(POM)).digest('hex').slice(0, 12);
const LIBS = resolve(here, `../../node_modules/.cache/authsvc/kafka-${KAFKA_VERSION}-${POM_HASH}`);

/** Why no broker can be started here (no Java, no Maven), or undefined when one can. */
export function apacheKafkaUnavailable(): string | undefined {
  if (existsSync(join(LIBS, 'lib')) && hasCommand('java')) return undefined;
  if (!hasCommand('java')) return 'no `java` on the PATH (Java 17 or later runs the broker)';
  if (!hasCommand('mvn')) return 'no `mvn` on the PATH (Maven fetches the broker from Maven Central)';
  return undefined;
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

let fetching: Promise<string> | undefined;

/**
 * The folder of the broker's jars: copied from the local Maven repository (~/.m2, downloaded there from Maven
 * Central on first use) into node_modules/.cache once; later runs need neither Maven nor the network.
 */
export function kafkaLibs(): Promise<string> {
  fetching ??= (async () => {
    const lib = join(LIBS, 'lib');
    if (existsSync(lib)) return lib;
    const staging = `${lib}.${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    await promisify(execFile)(
      'mvn',
      ['-q', '-B', '-f', POM, `${DEPENDENCY_PLUGIN}:copy-dependencies`, '-DincludeScope=runtime', `-DoutputDirectory=${staging}`],
      { maxBuffer: 16 * 1024 * 1024, env: { ...process.env, MAVEN_OPTS: process.env.MAVEN_OPTS ?? '-Xmx256m' } },
    ).catch((err: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`fetching Apache Kafka ${KAFKA_VERSION} with Maven failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    });
    if (!readdirSync(staging).some((f) => f.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) {
      throw new Error(`Maven copied no kafka_2.13-${KAFKA_VERSION} jar into ${staging}`);
    }
    if (!existsSync(lib))
      renameSync(staging, lib); // another process may have won the race: keep its copy
    else rmSync(staging, { recursive: true, force: true });
    return lib;
  })();
  fetching.catch(() => (fetching = undefined));
  return fetching;
}

export interface ClusterOptions {
  nodes?: number;
  /** Broker-wide min.insync.replicas (and the default replication factor of new topics: the node count). */
  minInsyncReplicas?: number;
  /** Java heap of each node, e.g. '384m'. */
  heap?: string;
  /** Fixed client port of the first node (`npm run kafka`); random free ports otherwise. */
  port?: number;
  /** Where the data goes; a temporary folder removed on dispose() otherwise. */
  dataDir?: string;
  /**
   * How long the controller waits for a node's heartbeat before it fences the node and moves its partitions'
   * leadership (Kafka's `broker.session.timeout.ms`, 9 s by default). Heartbeats go every sixth of it.
   */
  sessionTimeoutMs?: number;
}

export interface KafkaNode {
  id: number;
  port: number;
  /** Whether its process runs. */
  readonly running: boolean;
  /** SIGKILL: the process dies at once, as in a power cut. */
  kill(): Promise<void>;
  /** SIGTERM and wait: a controlled shutdown (SIGKILL after 20 s). */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data; resolves when it accepts connections. */
  start(): Promise<void>;
}

export interface ApacheKafkaCluster {
  version: string;
  brokers: string[];
  nodes: KafkaNode[];
  /** Stops every node (SIGKILL) and removes a temporary data folder. */
  dispose(): Promise<void>;
}

/** Every node ever started by this process, killed when it exits, whatever the reason. */
const live = new Set<ChildProcess>();
/** The temporary data folders not yet removed: removed when the process exits before their cluster is disposed. */
const temporaryRoots = new Set<string>();
let exitHook = false;
function killAllOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
    for (const root of temporaryRoots) rmSync(root, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      if (process.listenerCount(signal) > 0) return; // the program handles it (e.g. `npm run kafka` stops cleanly)
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)); // the exit handler cleans up
    });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * A random 16-byte id, base64url as Kafka writes cluster ids; never one that starts with '-', which the storage
 * tool's command line would read as an option.
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Starts `nodes` Apache Kafka nodes (broker + controller each) and waits until every one accepts connections. If
 * one cannot start, the others are killed and a temporary data folder is removed before the error is thrown.
 */
export async function startApacheKafka(options: ClusterOptions = {}): Promise<ApacheKafkaCluster> {
  const lib = await kafkaLibs();
  killAllOnExit();
  if (options.dataDir) return startNodes(options, lib, options.dataDir);
  const root = mkdtempSync(join(tmpdir(), 'authsvc-kafka-'));
  temporaryRoots.add(root);
  const removeRoot = () => {
    rmSync(root, { recursive: true, force: true });
    temporaryRoots.delete(root);
  };
  try {
    const cluster = await startNodes(options, lib, root);
    return { ...cluster, dispose: () => cluster.dispose().finally(removeRoot) };
  } catch (err) {
    removeRoot();
    throw err;
  }
}

async function startNodes(options: ClusterOptions, lib: string, root: string): Promise<ApacheKafkaCluster> {
  const count = options.nodes ?? 1;
  const heap = options.heap ?? (count > 1 ? '320m' : '384m');
  mkdirSync(root, { recursive: true });
  const ports = [];
  for (let i = 0; i < count; i += 1) {
    ports.push({ client: i === 0 && options.port ? options.port : await freePort(), controller: await freePort() });
  }
  const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p.controller}`).join(',');
  const id = clusterId();
  const rf = Math.min(count, 3);
  const configs = ports.map((p, i) => {
    const dir = join(root, `node-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const properties = join(dir, 'server.properties');
    writeFileSync(
      properties,
      [
        `node.id=${i + 1}`,
        'process.roles=broker,controller',
        `listeners=PLAINTEXT://127.0.0.1:${p.client},CONTROLLER://127.0.0.1:${p.controller}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${p.client}`,
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        `controller.quorum.voters=${voters}`,
        `log.dirs=${join(dir, 'data')}`,
        `offsets.topic.replication.factor=${rf}`,
        'offsets.topic.num.partitions=5',
        `transaction.state.log.replication.factor=${rf}`,
        `transaction.state.log.min.isr=${Math.min(rf, options.minInsyncReplicas ?? 1)}`,
        `default.replication.factor=${rf}`,
        `min.insync.replicas=${options.minInsyncReplicas ?? 1}`,
        'num.partitions=3',
        'group.initial.rebalance.delay.ms=0',
        // Topics are created on purpose (by the tests, or by the relay with KAFKA_CREATE_TOPIC), never by a typo.
        'auto.create.topics.enable=false',
        'unclean.leader.election.enable=false',
        ...(options.sessionTimeoutMs
          ? [
              `broker.session.timeout.ms=${options.sessionTimeoutMs}`,
              `broker.heartbeat.interval.ms=${Math.max(100, Math.round(options.sessionTimeoutMs / 6))}`,
            ]
          : []),
        // Few threads: these machines have two cores, shared.
        'num.network.threads=2',
        'num.io.threads=2',
        'background.threads=2',
        'num.recovery.threads.per.data.dir=1',
        'log.cleaner.threads=1',
        'log.cleaner.dedupe.buffer.size=8388608',
        'log.segment.bytes=16777216',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'log4j.properties'),
      [
        'log4j.rootLogger=WARN, file',
        'log4j.appender.file=org.apache.log4j.FileAppender',
        `log4j.appender.file.File=${join(dir, 'broker.log')}`,
        'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
        'log4j.logger.kafka.server.BrokerServer=INFO',
        'log4j.logger.kafka.server.ControllerServer=INFO',
        '',
      ].join('\n'),
    );
    return { dir, properties, port: p.client };
  });

  const jvm = (dir: string) => [
    `-Xms64m`,
    `-Xmx${heap}`,
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:ActiveProcessorCount=2',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
    '-cp',
    `${lib}/*`,
  ];
  await Promise.all(
    configs.map(
      ({ dir, properties }) =>
        new Promise<void>((done, reject) =>
          execFile(
            'java',
            [...jvm(dir), 'kafka.tools.StorageTool', 'format', '-t', id, '-c', properties, '--ignore-formatted'],
            (err, _out, stderr) => (err ? reject(new Error(`formatting ${dir} failed: ${err.message}\n${stderr}`)) : done()),
          ),
        ),
    ),
  );

  const nodes = configs.map(({ dir, properties, port }, i): KafkaNode & { process?: ChildProcess } => {
    let child: ChildProcess | undefined;
    const exited = () => child === undefined || child.exitCode !== null || child.signalCode !== null;
    const waitExit = (c: ChildProcess) =>
      c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((done) => c.once('exit', () => done()));
    const node: KafkaNode = {
      id: i + 1,
      port,
      get running() {
        return !exited();
      },
      async start() {
        if (!exited()) return;
        const started = spawn('java', [...jvm(dir), 'kafka.Kafka', properties], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        started.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
        live.add(started);
        started.once('exit', () => live.delete(started));
        child = started;
        await untilListening(port, started, () => `node ${i + 1} (${dir}/broker.log): ${stderr}`);
      },
      async kill() {
        const c = child;
        if (!c || exited()) return;
        c.kill('SIGKILL');
        await waitExit(c);
      },
      async stop() {
        const c = child;
        if (!c || exited()) return;
        c.kill('SIGTERM');
        const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
        await waitExit(c);
        clearTimeout(timer);
      },
    };
    return node;
  });
  try {
    await Promise.all(nodes.map((n) => n.start()));
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill()));
    throw err;
  }
  return {
    version: KAFKA_VERSION,
    brokers: nodes.map((n) => `127.0.0.1:${n.port}`),
    nodes,
    async dispose() {
      await Promise.all(nodes.map((n) => n.kill()));
    },
  };
}

/**
 * Resolves once `port` accepts a connection; rejects if the process exits first or after 240 s (three nodes
 * starting at once on two busy cores have taken 100 s).
 */
async function untilListening(port: number, child: ChildProcess, describe: () => string): Promise<void> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`Kafka exited with ${child.exitCode ?? child.signalCode}: ${describe()}`);
    if (await accepts(port)) return;
    if (Date.now() > deadline) throw new Error(`Kafka did not listen on ${port} within 240 s: ${describe()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}
