import type { Knex } from 'knex';
import type { UserChanges, UserPage } from '../../application/ports.js';
import type { EmailAddress } from '../../domain/email-address.js';
import { EmailTaken, UsernameTaken } from '../../domain/errors.js';
import type { User } from '../../domain/user.js';
import type { Username } from '../../domain/username.js';
import { isSqlite, isUniqueViolation } from './db.js';
import { preparedRead } from './prepared-read.js';
import { toUser, USER_COLUMNS, UserRow, type UserRecord } from './user-row.js';

const USER_BY_ID = `SELECT ${USER_COLUMNS} FROM \`users\` WHERE \`id\` = ?`;

export class ObjectionUserRepository implements UserChanges {
  /**
   * The account is read by id on every authenticated request: outside a transaction that is one prepared
   * statement instead of a query objection and knex build each time. A transaction's reads stay on its
   * connection, through objection.
   */
  private readonly byId?: (values: [id: string]) => Promise<UserRecord | undefined>;

  constructor(private readonly db: Knex | Knex.Transaction) {
    if (!db.isTransaction) this.byId = preparedRead<UserRecord>(db, USER_BY_ID);
  }

  async findById(id: string): Promise<User | undefined> {
    const row = this.byId ? await this.byId([id]) : await UserRow.query(this.db).findById(id);
    return row && toUser(row);
  }

  async findByUsername(username: Username): Promise<User | undefined> {
    const row = await UserRow.query(this.db).findOne({ username });
    return row && toUser(row);
  }

  async findByEmail(email: EmailAddress): Promise<User | undefined> {
    const row = await UserRow.query(this.db).findOne({ email });
    return row && toUser(row);
  }

  async list({ limit, after, prefix }: { limit: number; after?: string; prefix?: string }): Promise<UserPage> {
    // Keyset paging on the primary key: the cost of a page does not grow with its position. A search narrows
    // the same walk, so its cursor is the same id.
    const query = UserRow.query(this.db)
      .orderBy('id')
      .limit(limit + 1);
    if (after) query.where('id', '>', after);
    if (prefix) {
      // The escape character is bound, not written in the SQL: MySQL reads a backslash in a literal as an escape
      // of its own, SQLite does not. Both columns are stored lower case, so the lower-case prefix matches on
      // MySQL's case-insensitive collations and SQLite's LIKE alike.
      const pattern = `${escapeLike(prefix)}%`;
      query.where((q) => {
        q.whereRaw('?? LIKE ? ESCAPE ?', ['username', pattern, '\\']).orWhereRaw('?? LIKE ? ESCAPE ?', ['email', pattern, '\\']);
      });
    }
    const rows = await query;
    const page = rows.slice(0, limit);
    return { users: page.map(toUser), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  async add(user: User): Promise<void> {
    try {
      await UserRow.query(this.db).insert(user.toSnapshot());
    } catch (err) {
      if (isUniqueViolation(err)) throw violatedEmail(err) ? new EmailTaken({ cause: err }) : new UsernameTaken({ cause: err });
      throw err;
    }
  }

  async update(user: User): Promise<void> {
    const { id, role, passwordHash, updatedAt, lastLoginAt, status, statusReason, email, emailVerified } = user.toSnapshot();
    try {
      await UserRow.query(this.db)
        .findById(id)
        .patch({ role, passwordHash, updatedAt, lastLoginAt, status, statusReason, email, emailVerified });
    } catch (err) {
      if (isUniqueViolation(err)) throw new EmailTaken({ cause: err }); // the only unique column an update changes
      throw err;
    }
  }

  async remove(id: string): Promise<void> {
    await UserRow.query(this.db).deleteById(id);
  }

  async findForUpdate(id: string): Promise<User | undefined> {
    const query = UserRow.query(this.db).findById(id);
    if (!isSqlite(this.db as Knex)) query.forUpdate(); // SQLite's transactions already run one at a time
    const row = await query;
    return row && toUser(row);
  }

  async lockAdmins(): Promise<number> {
    const guard = this.db('admin_guard').where({ id: 1 }).first('id');
    if (!isSqlite(this.db as Knex)) guard.forUpdate();
    await guard;
    const [row] = await UserRow.query(this.db).where({ role: 'admin', status: 'active' }).count({ admins: '*' });
    return Number((row as unknown as { admins: number | string }).admins);
  }
}

/** A LIKE pattern that matches `text` literally, with a backslash as the escape character. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Which unique index refused the row, by its name in the driver's message: MySQL names the key
 * (users_email_unique), SQLite the column (users.email). Never by a bare "email": the statement in the message
 * names every column.
 */
function violatedEmail(err: unknown): boolean {
  const texts = [err, (err as { nativeError?: unknown })?.nativeError].map((e) => {
    const message = (e as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' ? message : '';
  });
  return texts.some((t) => /users_email_unique|users\.email\b/.test(t));
}
