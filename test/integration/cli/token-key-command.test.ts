import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { testApp, testEnv } from '../../support/test-app.js';
import { jsonLines, mysqlDatabase, sqliteDatabase, type CliDatabase } from './helpers.js';
import { openInProcess } from './in-process.js';

const HOUR_MS = 3_600_000;

function rotateOn(name: string, open: (ctx: Mocha.Context) => Promise<CliDatabase> | CliDatabase): void {
  describe(`npm run cli -- rotate-token-key on ${name}`, function () {
    let target: CliDatabase;
    const secret = randomBytes(32).toString('hex');

    before(async function () {
      target = await open(this);
    });
    after(async () => target?.dispose());

    it('refuses without TOKEN_KEY_SECRET, making no key the service could not open', async () => {
      const cli = await openInProcess(target.env);
      try {
        const run = await cli.run(['rotate-token-key']);
        expect(run).to.include({ code: 1, stdout: '' });
        expect(run.stderr).to.match(/^error: TOKEN_KEY_SECRET is not set/);
        expect(await target.db('token_keys')).to.be.empty;
      } finally {
        await cli.close();
      }
    });

    it('makes a signing key, then a successor published now that signs an hour later, then waits for it', async () => {
      const cli = await openInProcess({ ...target.env, TOKEN_KEY_SECRET: secret });
      try {
        const first = await cli.run(['rotate-token-key']);
        expect(first, first.stderr).to.include({ code: 0, stderr: '' });
        const made = jsonLines(first.stdout)[0]! as { created: string; keys: Array<Record<string, unknown>> };
        expect(made.keys).to.have.length(1);
        expect(made.created).to.equal(made.keys[0]!.kid);
        expect(JSON.stringify(made)).not.to.match(/sealed|private|"d"/i);

        const started = Date.now();
        const second = jsonLines((await cli.run(['rotate-token-key'])).stdout)[0]! as typeof made;
        expect(second.keys).to.have.length(2);
        const successor = second.keys.find((k) => k.kid === second.created)!;
        const current = second.keys.find((k) => k.kid === made.created)!;
        const activates = new Date(String(successor.activatesAt)).getTime();
        expect(activates - started).to.be.within(HOUR_MS - 5_000, HOUR_MS + 5_000);
        expect(current.retiresAt).to.equal(successor.activatesAt); // the current key signs until then

        // The service publishes both at once: verifiers fetch the new key before it signs anything.
        const { app } = testApp(target.db, testEnv({ TOKEN_KEY_SECRET: secret }));
        const jwks = await request(app.callback()).get('/.well-known/jwks.json').expect(200);
        expect(jwks.body.keys.map((k: { kid: string }) => k.kid).sort()).to.deep.equal([made.created, second.created].sort());

        const third = jsonLines((await cli.run(['rotate-token-key'])).stdout)[0]! as typeof made;
        expect(third.created).to.equal(null);
        expect(third.keys).to.have.length(2);
      } finally {
        await cli.close();
      }
    });
  });
}

rotateOn('SQLite (the embedded default)', () => sqliteDatabase());
rotateOn('MySQL', (ctx) => mysqlDatabase(ctx));
