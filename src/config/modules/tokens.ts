import { randomBytes } from 'node:crypto';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import { EndSession } from '../../application/sessions/end-session.js';
import { EndSessions } from '../../application/sessions/end-sessions.js';
import { ListSessions } from '../../application/sessions/list-sessions.js';
import { IssueAccessToken } from '../../application/tokens/issue-access-token.js';
import { KeyRing, KeyRingLog } from '../../application/tokens/key-ring.js';
import { KeyCrypto, TokenKeyStore, TokenSettings } from '../../application/tokens/ports.js';
import { ReadAccessToken } from '../../application/tokens/read-access-token.js';
import type { Logger } from '../../adapters/logging/logger.js';
import { KnexTokenKeyStore } from '../../adapters/persistence/knex-token-keys.js';
import { AuditLogFor } from '../../adapters/persistence/knex-unit-of-work.js';
import { AesGcmSecretBox } from '../../adapters/tokens/aes-gcm-secret-box.js';
import { JoseKeyCrypto } from '../../adapters/tokens/jose-key-crypto.js';
import type { Env } from '../env.js';

/** Session management and signed access tokens. */
export function bindTokens(container: Container, env: Env, db: Knex, log: Logger): void {
  container.bind(ListSessions).toSelf();
  container.bind(EndSession).toSelf();
  container.bind(EndSessions).toSelf();
  // Outside production, a random secret (the service warns at start-up): keys sealed under it cannot be opened
  // by the next process, which retires them and makes its own.
  const secret = env.tokens.keySecret ?? randomBytes(32).toString('hex');
  const { issuer, audience, ttlSeconds, alg, rotationMs } = env.tokens;
  container.bind<TokenSettings>(TokenSettings).toConstantValue({ issuer, audience, ttlSeconds, alg, rotationMs });
  container.bind<TokenKeyStore>(TokenKeyStore).toConstantValue(new KnexTokenKeyStore(db, container.get(AuditLogFor)));
  container.bind<KeyCrypto>(KeyCrypto).toConstantValue(new JoseKeyCrypto(new AesGcmSecretBox(secret)));
  container.bind(KeyRingLog).toConstantValue(log.child({ component: 'token-keys' }));
  container.bind(KeyRing).toSelf();
  container.bind(IssueAccessToken).toSelf();
  container.bind(ReadAccessToken).toSelf();
}
