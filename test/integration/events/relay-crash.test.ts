import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { InMemoryProcessedEvents, startUserEventsConsumer } from '../../../examples/user-events-consumer.js';
import type { UserEvent } from '../../../src/adapters/messaging/event-contract.js';
import { testApp, testEnv } from '../../support/test-app.js';
import {
  consume,
  countIds,
  eventsSuite,
  expectPerUserOrder,
  freshTopic,
  logIn,
  outboxRows,
  register,
  relayEnv,
  untilIds,
  waitFor,
  type EventsSuite,
} from './helpers.js';

/** The standalone relay (`npm run relay`) from the sources, as a child process; SIGTERMed after the test if alive. */
function startRelayProcess(suite: EventsSuite, topic: string): { child: ChildProcess; output: () => string } {
  const env = relayEnv(suite.kafka, topic, { DATABASE_URL: suite.mysql.url, LOG_LEVEL: 'info', BCRYPT_COST: '4' });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/config/relay-main.ts'], {
    env: { PATH: process.env.PATH!, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  suite.defer(() => stopProcess(child, 'SIGTERM'));
  return { child, output: () => output };
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}

/** The example consumer, counting every message it reads (repeats included) and every event it handles. */
class CountingProcessedEvents extends InMemoryProcessedEvents {
  reads = 0;
  override async record(eventId: string): Promise<boolean> {
    this.reads += 1;
    return super.record(eventId);
  }
}

describe('the relay killed between sending and marking', function () {
  this.timeout(90_000);
  const suite = eventsSuite();

  it('sends the same events again after a restart, and the example consumer handles each once', async () => {
    const topic = await freshTopic(suite.kafka, 'crash');
    const joining = consume(suite, topic);
    const processed = new CountingProcessedEvents();
    const handled: UserEvent[] = [];
    const example = startUserEventsConsumer({
      brokers: suite.kafka.brokers,
      topic,
      groupId: `example-${topic}`,
      processed,
      handle: async (event) => void handled.push(event),
    });
    suite.defer(() =>
      example.then(
        (c) => c.disconnect(),
        () => undefined,
      ),
    );

    // Events written by a service with no relay of its own.
    const { app } = testApp(suite.db, testEnv());
    for (const name of ['ada', 'bob', 'cyd']) await logIn(app, await register(app, name));
    const rows = await outboxRows(suite.db);
    const ids = rows.map((r) => r.id);
    expect(rows).to.have.length(6);

    const consumer = await joining;
    await example;
    // Lock the pending rows: the relay can read them (plain SELECTs do not wait) but its UPDATE cannot mark them.
    const blocker = await suite.db.transaction();
    suite.defer(() => blocker.isCompleted() || blocker.rollback());
    expect(await blocker('outbox').whereNull('publishedAt').forUpdate().select('seq')).to.have.length(6);

    const first = startRelayProcess(suite, topic);
    await untilIds(consumer, ids, 1, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; relay output:\n${first.output()}`);
    });
    await waitFor('the relay to be waiting on its "mark published" UPDATE', async () => (await blockedMarks()).length === 1);
    expect(await outboxRows(suite.db), 'sent, not marked').to.satisfy((now: typeof rows) => now.every((r) => r.publishedAt === null));

    expect(await stopProcess(first.child, 'SIGKILL')).to.equal(null);
    // The server has not noticed that the client of the waiting UPDATE is gone (it would still run it once our
    // locks go): end that connection as the server would on a dead host.
    for (const id of await blockedMarks()) await suite.db.raw('KILL ?', [id]);
    await blocker.rollback();

    const second = startRelayProcess(suite, topic);
    await untilIds(consumer, ids, 2, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; relay output:\n${second.output()}`);
    });
    await waitFor('every row marked published', async () => (await outboxRows(suite.db)).every((r) => r.publishedAt !== null));

    // Duplicates, never gaps: each event twice, the same message both times, and no event the outbox lacks.
    const counts = countIds(consumer.received);
    expect([...counts.keys()].sort()).to.deep.equal([...ids].sort());
    expect([...counts.values()]).to.satisfy((n: number[]) => n.every((times) => times === 2));
    for (const id of ids) {
      const [once, again] = consumer.received.filter((m) => m.event.id === id);
      expect(again, `the repeat of ${id}`).to.deep.include({ key: once!.key, partition: once!.partition, event: once!.event });
    }
    expectPerUserOrder(consumer.received, rows);

    // The example consumer read every message, repeats included, and handled each event once.
    await waitFor(
      'the example consumer to read both deliveries',
      () => processed.reads >= 2 * ids.length,
      20_000,
      () => processed.reads,
    );
    expect(handled.map((e) => e.id).sort()).to.deep.equal([...ids].sort());

    expect(await stopProcess(second.child, 'SIGTERM'), 'a clean exit on SIGTERM').to.equal(0);
  });

  /** Connections of this database running the relay's "mark published" UPDATE. */
  async function blockedMarks(): Promise<number[]> {
    const [found] = await suite.db.raw(
      "SELECT id AS conn FROM information_schema.processlist WHERE db = DATABASE() AND info LIKE 'update `outbox` set `published_at`%'",
    );
    return (found as Array<{ conn: number }>).map((r) => Number(r.conn));
  }
});
