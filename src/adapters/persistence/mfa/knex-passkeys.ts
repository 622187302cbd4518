import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { PasskeyStore, StoredPasskey } from '../../../application/mfa/ports.js';
import { PasskeyRejected } from '../../../domain/errors.js';
import { isUniqueViolation, toDate } from '../db.js';

const TABLE = 'webauthn_credentials';
const hashOf = (credentialId: string) => createHash('sha256').update(credentialId).digest('hex');

export class KnexPasskeys implements PasskeyStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async add(p: StoredPasskey): Promise<void> {
    try {
      await this.db(TABLE).insert({
        id: p.id,
        userId: p.userId,
        credentialIdHash: hashOf(p.credentialId),
        credentialId: p.credentialId,
        publicKey: p.publicKey,
        counter: p.counter,
        transports: JSON.stringify(p.transports),
        deviceType: p.deviceType,
        backedUp: p.backedUp,
        name: p.name,
        createdAt: p.createdAt,
        lastUsedAt: p.lastUsedAt,
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new PasskeyRejected('this passkey is registered already');
      throw err;
    }
  }

  async listOf(userId: string): Promise<StoredPasskey[]> {
    const rows = await this.db(TABLE).select<Record<string, unknown>[]>().where({ userId }).orderBy('createdAt').orderBy('id');
    return rows.map(toPasskey);
  }

  async findByCredentialId(credentialId: string): Promise<StoredPasskey | undefined> {
    const row = await this.db(TABLE)
      .first<Record<string, unknown> | undefined>()
      .where({ credentialIdHash: hashOf(credentialId) });
    return row && toPasskey(row);
  }

  async recordUse(id: string, from: number, to: number, now: Date): Promise<boolean> {
    const updated = await this.db(TABLE)
      .where({ id })
      .andWhere((q) => {
        q.where({ counter: from }).orWhere('counter', '<', to);
      })
      .update({ counter: to, lastUsedAt: now });
    return Number(updated) === 1;
  }

  async remove(userId: string, id: string): Promise<boolean> {
    return Number(await this.db(TABLE).where({ userId, id }).delete()) === 1;
  }
}

function toPasskey(row: Record<string, unknown>): StoredPasskey {
  return {
    id: String(row.id),
    userId: String(row.userId),
    credentialId: String(row.credentialId),
    publicKey: String(row.publicKey),
    counter: Number(row.counter),
    transports: typeof row.transports === 'string' && row.transports !== '' ? (JSON.parse(row.transports) as string[]) : [],
    deviceType: String(row.deviceType),
    backedUp: Boolean(row.backedUp),
    name: String(row.name),
    createdAt: toDate(row.createdAt as Date),
    lastUsedAt: row.lastUsedAt == null ? null : toDate(row.lastUsedAt as Date),
  };
}
