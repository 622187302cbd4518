import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { createAdmin, eventsSuite, freshTopic, logIn, outboxRows, register, waitFor, wiredRelay } from './helpers.js';

/** examples/user-events-consumer.ts run as its header says, as a script, against the suite's broker. */
describe('the example consumer, run as a script', function () {
  this.timeout(120_000);
  const suite = eventsSuite();

  it('prints each event of the topic once: time, type, user and data', async () => {
    const topic = await freshTopic(suite.kafka, 'example');
    const { app, container, relay } = wiredRelay(suite, topic);
    relay.start();
    const admin = await createAdmin(container);
    const user = await register(app);
    await logIn(app, user);
    await waitFor('three events published', async () => (await outboxRows(suite.db)).every((r) => r.publishedAt !== null), 30_000);
    const rows = await outboxRows(suite.db);
    expect(rows).to.have.length(3);

    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/user-events-consumer.ts'], {
      env: { ...process.env, KAFKA_BROKERS: suite.kafka.brokers.join(','), KAFKA_TOPIC: topic, KAFKA_GROUP_ID: `example-${topic}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    suite.defer(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));

    await waitFor(
      'three lines from the example',
      () => lines.length >= 3,
      60_000,
      () => ({ lines, stderr }),
    );
    const byId = new Map(rows.map((r) => [r.aggregateid + r.type, r]));
    for (const line of lines) {
      const [time, type, subject, ...data] = line.split(' ');
      const row = byId.get(subject! + type);
      expect(row, `an outbox row for "${line}"`).not.to.equal(undefined);
      expect(time).to.equal(row!.createdAt.toISOString());
      expect(JSON.parse(data.join(' '))).to.deep.equal(typeof row!.payload === 'string' ? JSON.parse(row!.payload) : row!.payload);
    }
    expect(lines.map((l) => l.split(' ')[1]).sort()).to.deep.equal(['user.created', 'user.created', 'user.logged_in']);
    expect(new Set(lines.map((l) => l.split(' ')[2]))).to.deep.equal(new Set([admin.id, user.id]));

    // It leaves the group and exits on SIGTERM, as its header promises.
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });
});

describe('the example consumer, run as a script with no broker', function () {
  this.timeout(60_000);

  it('says "no broker at …, retrying" on stderr, without a stack, and keeps waiting', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/user-events-consumer.ts'], {
      env: { PATH: process.env.PATH!, KAFKA_BROKERS: '127.0.0.1:1', KAFKA_TOPIC: 'user-events' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(
        'two retries announced',
        () => (stderr.match(/^no broker at /gm) ?? []).length >= 2,
        45_000,
        () => ({ stderr }),
      );
      expect(child.exitCode, 'still waiting for the broker').to.equal(null);
      for (const line of stderr.trimEnd().split('\n')) {
        expect(line).to.match(/^no broker at 127\.0\.0\.1:1, retrying in \d+ s \(.+\)$/);
      }
      expect(stdout).to.equal('');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
