import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { RelayLock } from '../../application/outbox/ports.js';

export const RELAY_LOCK_NAME = 'authsvc.outbox-relay';
const MAX_LOCK_NAME = 64; // MySQL's limit

/**
 * Named locks are server-wide: the name carries the database, so services (or environments) sharing a server
 * each get their own publisher.
 */
export function relayLockName(database: string): string {
  const name = `${RELAY_LOCK_NAME}.${database}`;
  if (name.length <= MAX_LOCK_NAME) return name;
  return `${RELAY_LOCK_NAME}.${createHash('sha256')
    .update(database)
    .digest('hex')
    .slice(0, MAX_LOCK_NAME - RELAY_LOCK_NAME.length - 1)}`;
}

/**
 * A MySQL named lock held on a connection of its own. The server frees it when that connection ends, so a
 * standby takes over within its retry interval when the holder dies. Before each batch the holder checks that
 * the lock is still held by its connection.
 */
export class MySqlNamedLock implements RelayLock {
  private conn: mysql.Connection | undefined;

  private readonly name: string;

  constructor(private readonly connection: mysql.ConnectionOptions) {
    this.name = relayLockName(connection.database ?? '');
  }

  async acquire(): Promise<boolean> {
    await this.drop(); // a fresh connection for every attempt: a dead one must never look like a holder
    const conn = await mysql.createConnection(this.connection);
    conn.on('error', () => void this.drop()); // the server freed the lock with the connection
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got', [this.name]);
      if (rows[0]?.got === 1) {
        this.conn = conn;
        return true;
      }
    } catch {
      // fall through: not acquired
    }
    await conn.end().catch(() => undefined);
    return false;
  }

  async holds(): Promise<boolean> {
    if (!this.conn) return false;
    try {
      const [rows] = await this.conn.query<mysql.RowDataPacket[]>('SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS mine', [this.name]);
      return rows[0]?.mine === 1;
    } catch {
      await this.drop();
      return false;
    }
  }

  async release(): Promise<void> {
    if (!this.conn) return;
    await this.conn.query('SELECT RELEASE_LOCK(?)', [this.name]).catch(() => undefined);
    await this.drop();
  }

  private async drop(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    if (conn) await conn.end().catch(() => conn.destroy());
  }
}

/** The embedded SQLite database serves one process, so its one relay always holds the lock. */
export class InProcessLock implements RelayLock {
  async acquire(): Promise<boolean> {
    return true;
  }
  async holds(): Promise<boolean> {
    return true;
  }
  async release(): Promise<void> {}
}
