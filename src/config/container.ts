import { Container } from 'inversify';
import type { Knex } from 'knex';
import { Authenticate } from '../application/sessions/authenticate.js';
import { IdentifyCaller } from '../application/sessions/identify-caller.js';
import { LogOut } from '../application/sessions/log-out.js';
import { OutboxRelay } from '../application/outbox/relay-outbox.js';
import type { Logger } from '../adapters/logging/logger.js';
import { KnexSessionStore } from '../adapters/persistence/knex-session-store.js';
import { SessionStore } from '../application/sessions/ports.js';
import type { Env } from './env.js';
import { bindAccounts } from './modules/accounts.js';
import { bindAudit, bindAuditUseCases } from './modules/audit.js';
import { bindBase, bindUsers } from './modules/core.js';
import { bindEmail, bindMailQueue, bindMailRelay } from './modules/email.js';
import { bindMfa } from './modules/mfa.js';
import { bindOutbox, bindOutboxRelay } from './modules/outbox.js';
import { bindPasswords } from './modules/passwords.js';
import { bindTokens } from './modules/tokens.js';

/*
 * The compositions: one per process, each loading the capability modules (./modules) that process runs. They
 * and the modules are the only places that construct concrete adapters.
 */

/**
 * The API (`npm start`): every use case the HTTP app drives, the bcrypt threads, the session store, and the
 * outbox and mail relays it runs when OUTBOX_RELAY_IN_PROCESS is on (the default).
 */
export function buildContainer(env: Env, db: Knex, log: Logger): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  bindBase(container, db, log);
  bindAudit(container, env, db, log);
  bindOutbox(container, db);
  bindOutboxRelay(container, env, db, log);
  // A commit in this process wakes the relay only when the relay runs in this process; otherwise it polls.
  const relay = env.kafka && env.outbox.relayInProcess ? container.get(OutboxRelay) : undefined;
  bindUsers(container, db, relay);
  bindPasswords(container, env);
  bindAccounts(container, env, db);
  bindAuditUseCases(container);
  container.bind<SessionStore>(SessionStore).toConstantValue(new KnexSessionStore(db, env.sessionAbsoluteMs));
  container.bind(Authenticate).toSelf();
  container.bind(LogOut).toSelf();
  container.bind(IdentifyCaller).toSelf();
  bindMfa(container, env, db);
  bindTokens(container, env, db, log);
  bindMailQueue(container, db);
  bindMailRelay(container, env, log);
  bindEmail(container, env, db);
  return container;
}

/**
 * The standalone relay (`npm run relay`): the outbox relay (with the audit trail's retention) and the mail
 * relay. No password hashing, no use cases, no HTTP.
 */
export function buildRelayContainer(env: Env, db: Knex, log: Logger): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  bindBase(container, db, log);
  bindAudit(container, env, db, log);
  bindOutbox(container, db);
  bindOutboxRelay(container, env, db, log);
  bindMailQueue(container, db);
  bindMailRelay(container, env, log);
  return container;
}

/**
 * The command line (`npm run cli`): the operator's account and session changes (bcrypt threads included, for
 * create-user and set-password), the token keys, and the queues' counts. It runs no relay: what it writes to
 * the outbox is published by the running service's relay.
 */
export function buildCliContainer(env: Env, db: Knex, log: Logger): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  bindBase(container, db, log);
  bindAudit(container, env, db, log);
  bindOutbox(container, db);
  bindUsers(container, db);
  bindPasswords(container, env);
  bindAccounts(container, env, db);
  bindTokens(container, env, db, log);
  bindMailQueue(container, db);
  return container;
}
