import type { AuditLog } from '../../application/audit/ports.js';
import { KnexAuditLog } from './audit/knex-audit-log.js';
import type { Knex } from 'knex';
import type { StoredKey, TokenKeyChanges, TokenKeyStore } from '../../application/tokens/ports.js';

interface KeyRow {
  kid: string;
  alg: string;
  publicJwk: string;
  sealedPrivateKey: string;
  createdAt: number | string;
  activatesAt: number | string;
  retiresAt: number | string | null;
  deleteAfter: number | string | null;
}

const time = (v: number | string | null): Date | null => (v === null ? null : new Date(Number(v)));

function toKey(row: KeyRow): StoredKey {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: JSON.parse(row.publicJwk) as StoredKey['publicJwk'],
    sealedPrivateKey: row.sealedPrivateKey,
    createdAt: time(row.createdAt)!,
    activatesAt: time(row.activatesAt)!,
    retiresAt: time(row.retiresAt),
    deleteAfter: time(row.deleteAfter),
  };
}

class KnexTokenKeyChanges implements TokenKeyChanges {
  constructor(
    private readonly db: Knex | Knex.Transaction,
    readonly audit: AuditLog,
  ) {}

  async all(): Promise<StoredKey[]> {
    return ((await this.db('token_keys').select('*').orderBy('createdAt')) as KeyRow[]).map(toKey);
  }

  async add(key: StoredKey): Promise<void> {
    await this.db('token_keys').insert({
      kid: key.kid,
      alg: key.alg,
      publicJwk: JSON.stringify(key.publicJwk),
      sealedPrivateKey: key.sealedPrivateKey,
      createdAt: key.createdAt.getTime(),
      activatesAt: key.activatesAt.getTime(),
      retiresAt: key.retiresAt?.getTime() ?? null,
      deleteAfter: key.deleteAfter?.getTime() ?? null,
    });
  }

  async retire(kid: string, retiresAt: Date, deleteAfter: Date): Promise<void> {
    await this.db('token_keys').where({ kid }).update({ retiresAt: retiresAt.getTime(), deleteAfter: deleteAfter.getTime() });
  }

  async remove(kids: string[]): Promise<void> {
    await this.db('token_keys').whereIn('kid', kids).delete();
  }
}

/** The signing keys in the database, shared by every instance of the service. */
export class KnexTokenKeyStore implements TokenKeyStore {
  /** `auditFor`: the audit trail on a transaction (a no-op one when AUDIT_ENABLED=false). */
  constructor(
    private readonly db: Knex,
    private readonly auditFor: (trx: Knex.Transaction) => AuditLog = (trx) => new KnexAuditLog(trx),
  ) {}

  all(): Promise<StoredKey[]> {
    return new KnexTokenKeyChanges(this.db, { record: async () => undefined }).all(); // reads only
  }

  exclusively<T>(work: (keys: TokenKeyChanges) => Promise<T>): Promise<T> {
    return this.db.transaction(async (trx) => {
      // An update takes the guard row's write lock on MySQL and SQLite alike: a second instance waits here
      // until the first commits, then reads the key the first made instead of making its own.
      await trx('token_key_guard').where({ id: 1 }).increment('version', 1);
      return work(new KnexTokenKeyChanges(trx, this.auditFor(trx)));
    });
  }
}
