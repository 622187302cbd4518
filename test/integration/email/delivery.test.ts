import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { runCommand } from '../../../src/adapters/cli/commands.js';
import type { Stdio } from '../../../src/adapters/cli/output.js';
import { MailOutbox, MailSender } from '../../../src/application/email/ports.js';
import { MailRelay } from '../../../src/application/email/relay-mail.js';
import { Clock } from '../../../src/application/ports.js';
import { adminTools } from '../../../src/config/cli.js';
import { linkIn } from '../../support/test-smtp.js';
import {
  anEmail,
  DATABASES,
  emailWorld,
  followVerification,
  nthMail,
  PUBLIC_URL,
  queueDrained,
  registerWithEmail,
  VERIFY,
  type EmailWorld,
} from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every token any message carried so far: none may be stored in plaintext or logged. */
function tokensSent(world: EmailWorld): string[] {
  return world.smtp.messages.flatMap((m) => (/#token=/.test(m.text ?? '') ? [linkIn(m).token] : []));
}

async function outboxStatus(
  world: EmailWorld,
): Promise<{ json: { mail: { parked: number; parkedMessages: Array<Record<string, unknown>> } }; text: string }> {
  const { container, db } = world;
  const tools = adminTools(container, db, false);
  const run = async (json: boolean) => {
    let out = '';
    const io: Stdio = { stdin: process.stdin, stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } };
    expect(await runCommand({ command: 'outbox-status', args: [], options: { json } } as never, tools, io)).to.equal(0);
    return out;
  };
  return { json: JSON.parse(await run(true)), text: await run(false) };
}

for (const [database, open] of DATABASES) {
  describe(`mail delivery (${database})`, function () {
    const world = emailWorld(open);

    it('keeps mail while the SMTP server is down, retries with back-off, and delivers all of it once it is back', async () => {
      await world.smtp.stop();
      const people = [];
      for (let i = 0; i < 3; i += 1) people.push(await registerWithEmail(world.app));
      await sleep(600); // several attempts, each refused
      const waiting = await world.db('mail_outbox').whereIn(
        'recipient',
        people.map((p) => p.email),
      );
      expect(waiting).to.have.length(3);
      for (const row of waiting) {
        expect(row.sentAt).to.equal(null);
        expect(row.parkedAt).to.equal(null);
        expect(Number(row.attempts)).to.be.at.least(2);
        expect(row.lastError).to.match(/ECONNREFUSED|connect/i);
        expect(row.params).to.be.a('string').that.includes('token');
      }
      expect((await request(world.app.callback()).get('/metrics')).text).to.match(/^mail_pending_messages [1-9]/m);

      await world.smtp.start();
      for (const person of people) {
        const [mail] = await world.smtp.waitFor(person.email, 1);
        const row = waiting.find((r) => r.recipient === person.email)!;
        expect(mail!.messageId).to.equal(`<${row.id}@${new URL(PUBLIC_URL).hostname}>`);
        expect((await followVerification(world, mail!)).status).to.equal(204);
      }
      await queueDrained(world.db);
    });

    it('sends again under the same Message-ID when the sender stopped before recording the send (at least once)', async () => {
      await world.relay.stop();
      try {
        const person = await registerWithEmail(world.app);
        const outbox = world.container.get<MailOutbox>(MailOutbox);
        let crashes = 1;
        const crashing: MailOutbox = {
          claimDue: (now, limit, leaseMs) => outbox.claimDue(now, limit, leaseMs),
          markSent: async (seq, at) => {
            if (crashes-- > 0) throw new Error('the process died here');
            await outbox.markSent(seq, at);
          },
          retryAt: (seq, at, error) => outbox.retryAt(seq, at, error),
          park: (seq, error, at) => outbox.park(seq, error, at),
          counts: () => outbox.counts(),
          deleteSentBefore: (cutoff, limit) => outbox.deleteSentBefore(cutoff, limit),
        };
        const settings = {
          pollIntervalMs: 20,
          batchSize: 10,
          leaseMs: 200,
          baseBackoffMs: 50,
          maxBackoffMs: 100,
          maxAttempts: 5,
          retentionMs: 3_600_000,
        };
        const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
        const relay = new MailRelay(crashing, world.container.get(MailSender), world.container.get(Clock), settings, quiet);
        relay.start();
        const twice = await world.smtp.waitFor(person.email, 2);
        await relay.stop();
        expect(twice[0]!.messageId).to.equal(twice[1]!.messageId);
        expect(linkIn(twice[0]!).token).to.equal(linkIn(twice[1]!).token);
        const [row] = await world.db('mail_outbox').where({ recipient: person.email });
        expect(row.sentAt).not.to.equal(null);
        expect(row.params).to.equal(null);
      } finally {
        world.relay.start();
      }
    });

    it('parks a message the server refuses for good (5xx) with the reason, shown by outbox-status and /metrics, and goes on with the rest', async () => {
      const refused = anEmail();
      world.smtp.refused.add(refused);
      const unlucky = await registerWithEmail(world.app, refused);
      const lucky = await registerWithEmail(world.app);
      await nthMail(world, lucky.email, VERIFY);
      await queueDrained(world.db);

      const [row] = await world.db('mail_outbox').where({ userId: unlucky.id });
      expect(row.parkedAt).not.to.equal(null);
      expect(row.sentAt).to.equal(null);
      expect(row.params, 'the body is erased').to.equal(null);
      expect(row.lastError).to.include('550');
      expect(Number(row.attempts)).to.equal(1); // a 5xx is not retried

      const { json, text } = await outboxStatus(world);
      expect(json.mail.parked).to.be.at.least(1);
      const shown = json.mail.parkedMessages.find((m) => m.userId === unlucky.id);
      expect(shown).to.include({ kind: 'verify-email' });
      expect(String(shown!.lastError)).to.include('550');
      expect(text).to.match(new RegExp(`^mail parked +\\d+\\n {2}seq \\d+ +verify-email +user ${unlucky.id} +parked \\S+: .*550`, 'm'));
      expect((await request(world.app.callback()).get('/metrics')).text).to.match(/^mail_parked_messages [1-9]/m);
    });

    it('erases every body once sent or parked: no token rests in plaintext in the database', async () => {
      await queueDrained(world.db);
      const rows = await world.db('mail_outbox').select('params', 'sentAt', 'parkedAt');
      expect(rows.length).to.be.greaterThan(0);
      for (const row of rows) {
        expect(row.sentAt !== null || row.parkedAt !== null).to.equal(true);
        expect(row.params).to.equal(null);
      }
      const tokens = tokensSent(world);
      expect(tokens.length).to.be.greaterThan(3);
      const dump = JSON.stringify([await world.db('mail_outbox'), await world.db('email_tokens'), await world.db('outbox')]);
      for (const token of tokens) expect(dump).not.to.include(token);
    });

    it('writes no token into any log line', async () => {
      const logs = world.logText();
      expect(logs).to.include('"msg":"mail sent"');
      expect(logs).to.include('"msg":"mail not sent; will retry"');
      const tokens = tokensSent(world);
      expect(tokens.length).to.be.greaterThan(3);
      for (const token of tokens) expect(logs).not.to.include(token);
    });

    it('deletes the records of sent messages past retention, never parked ones', async () => {
      const outbox = world.container.get<MailOutbox>(MailOutbox);
      const before = await outbox.counts();
      expect(before.sent).to.be.greaterThan(0);
      expect(before.parked).to.be.greaterThan(0);
      expect(await outbox.deleteSentBefore(new Date(Date.now() - 3_600_000), 1000)).to.equal(0);
      expect(await outbox.deleteSentBefore(new Date(Date.now() + 1000), 2)).to.equal(2);
      expect(await outbox.deleteSentBefore(new Date(Date.now() + 1000), 1000)).to.equal(before.sent - 2);
      expect(await outbox.counts()).to.deep.equal({ pending: 0, parked: before.parked, sent: 0 });
    });
  });
}

describe('mail without SMTP_URL: .eml files', function () {
  for (const [nodeEnv, linkLogged] of [
    ['development', true],
    ['production', false],
  ] as const) {
    describe(`NODE_ENV=${nodeEnv}`, function () {
      const world = emailWorld(DATABASES[1]![1], {
        SMTP_URL: '', // empty counts as unset
        MAIL_DIR: join(tmpdir(), `authsvc-mail-${nodeEnv}-${process.pid}`),
        NODE_ENV: nodeEnv,
        SESSION_SECRET: 'an unguessable production secret, 0123456789abcdef',
        // Production requires the secrets of the second factor and of token keys too.
        MFA_KEY_SECRET: 'another unguessable production secret, for codes 42',
        TOKEN_KEY_SECRET: 'a third unguessable production secret, for key seals',
      });

      it(`writes each message as an .eml file with text and HTML parts${linkLogged ? ' and logs its link' : ', and logs no link'}`, async () => {
        const mailDir = world.env.email.mailDir;
        const person = await registerWithEmail(world.app);
        const [row] = await world.db('mail_outbox').where({ userId: person.id });
        const file = join(mailDir, `${row.id}.eml`);
        const deadline = Date.now() + 10_000;
        while (!(await readdir(mailDir).catch((): string[] => [])).includes(`${row.id}.eml`)) {
          if (Date.now() > deadline) throw new Error('no .eml file');
          await sleep(20);
        }
        await queueDrained(world.db);
        const mail = await simpleParser(await readFile(file));
        expect(mail.subject).to.match(VERIFY);
        expect(mail.html).to.be.a('string').that.includes('/ui/verify-email#token=');
        const { url, token } = linkIn(mail);
        expect(world.logText().includes(url)).to.equal(linkLogged);
        if (linkLogged) expect(world.logText()).to.include(token);
        await rm(mailDir, { recursive: true, force: true });
      });
    });
  }
});
