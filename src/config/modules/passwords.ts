import type { Container } from 'inversify';
import { CommonPasswords, PasswordHasher } from '../../application/ports.js';
import { BcryptPasswordHasher } from '../../adapters/crypto/bcrypt-password-hasher.js';
import { BoundedPasswordHasher } from '../../adapters/crypto/bounded-password-hasher.js';
import { ZxcvbnCommonPasswords } from '../../adapters/crypto/zxcvbn-common-passwords.js';
import type { Env } from '../env.js';

/**
 * Password hashing: the bcrypt worker threads (started here, closed by the process at shutdown) behind the cap
 * on pending work, and the common-password list. Only the processes that check or set passwords load it.
 */
export function bindPasswords(container: Container, env: Env): void {
  const bcrypt = new BcryptPasswordHasher(env.bcryptCost, env.bcryptThreads);
  container.bind(BcryptPasswordHasher).toConstantValue(bcrypt); // closed at shutdown
  const hasher = new BoundedPasswordHasher(bcrypt, env.bcryptMaxPending, env.bcryptMaxPendingHashes);
  container.bind(BoundedPasswordHasher).toConstantValue(hasher); // for its queue depth metric
  container.bind<PasswordHasher>(PasswordHasher).toConstantValue(hasher);
  container.bind<CommonPasswords>(CommonPasswords).toConstantValue(new ZxcvbnCommonPasswords());
}
