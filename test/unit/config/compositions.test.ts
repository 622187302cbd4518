import { expect } from 'chai';
import type { Knex } from 'knex';
import { createLogger } from '../../../src/adapters/logging/logger.js';
import { BcryptPasswordHasher } from '../../../src/adapters/crypto/bcrypt-password-hasher.js';
import { MailRelay } from '../../../src/application/email/relay-mail.js';
import { Authenticate } from '../../../src/application/sessions/authenticate.js';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import { PasswordHasher } from '../../../src/application/ports.js';
import { OutboxRelay } from '../../../src/application/outbox/relay-outbox.js';
import { buildCliContainer, buildContainer, buildRelayContainer } from '../../../src/config/container.js';
import { testEnv } from '../../support/test-app.js';
import { onSqlite } from '../../support/test-database.js';

/** Each process builds only what it runs: the compositions, on an embedded database, without starting anything. */
describe('the compositions', function () {
  this.timeout(30_000);
  let db: Knex, dispose: () => Promise<void>;
  const env = testEnv({ KAFKA_BROKERS: '127.0.0.1:1' }); // a broker named: the relay is built, never started
  const log = createLogger('silent');

  before(async function () {
    ({ db, dispose } = await onSqlite(this));
  });
  after(() => dispose());

  it('the relay process: its two relays, and no bcrypt pool nor any use case', () => {
    const container = buildRelayContainer(env, db, log);
    expect(container.get(OutboxRelay)).to.be.instanceOf(OutboxRelay);
    expect(container.get(MailRelay)).to.be.instanceOf(MailRelay);
    expect(container.isBound(BcryptPasswordHasher), 'bcrypt worker pool').to.equal(false);
    expect(container.isBound(PasswordHasher)).to.equal(false);
    expect(container.isBound(CreateUser)).to.equal(false);
    expect(container.isBound(Authenticate)).to.equal(false);
  });

  it('the API: the bcrypt pool and the use cases the routes call', async () => {
    const container = buildContainer(env, db, log);
    try {
      expect(container.get(Authenticate)).to.be.instanceOf(Authenticate);
      expect(container.get(OutboxRelay)).to.be.instanceOf(OutboxRelay);
    } finally {
      await container.get(BcryptPasswordHasher).close();
    }
  });

  it('the command line: the account use cases and the bcrypt pool, no relay and no login', async () => {
    const container = buildCliContainer(env, db, log);
    try {
      expect(container.get(CreateUser)).to.be.instanceOf(CreateUser);
      expect(container.isBound(OutboxRelay)).to.equal(false);
      expect(container.isBound(MailRelay)).to.equal(false);
      expect(container.isBound(Authenticate)).to.equal(false);
    } finally {
      await container.get(BcryptPasswordHasher).close();
    }
  });
});
