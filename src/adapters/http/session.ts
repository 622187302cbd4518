import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import session from 'koa-session';
import type { UserRepository } from '../../application/ports.js';
import { viewOf, type UserView } from '../../application/user-view.js';
import type { Caller } from '../../domain/access-policy.js';
import { NotAuthenticated } from '../../domain/errors.js';
import type { KnexSessionStore, SessionData } from '../persistence/knex-session-store.js';

export const SESSION_COOKIE = 'authsvc.sid';
/** Requests that are logging in: the only ones allowed to create a session record. */
const starting = new WeakSet<Context>();
/** The session record each request's cookie found, as loaded (its `_expire` is the idle deadline it had). */
const loaded = new WeakMap<Context, SessionData>();
/** What a logging-in request stored when it created its session. */
const created = new WeakMap<Context, string>();
/** The session's own data, without koa-session's bookkeeping of its deadline. */
const contentOf = ({ _expire: _e, _maxAge: _m, ...content }: SessionData): string => JSON.stringify(content);
/** A rolling save that would move the idle deadline by less than this is skipped: one write a minute, not one a request. */
const MAX_TOUCH_INTERVAL_MS = 60_000;

export interface SessionOptions {
  store: KnexSessionStore;
  idleMs: number;
  secure: boolean;
}

/**
 * koa-session with the session record in the database: the cookie carries only a random 256-bit id (signed
 * with the app keys), the database only its hash. The idle deadline rolls with use (at most one write per
 * touch interval).
 */
export function sessions(app: Koa, options: SessionOptions): Middleware[] {
  const { store, idleMs, secure } = options;
  const touchIntervalMs = Math.min(MAX_TOUCH_INTERVAL_MS, idleMs / 10);
  // TLS ends at the proxy in front of the service: when cookies are to be Secure, send them as such even though
  // the hop to us is plain HTTP (the cookies library would otherwise refuse to set them).
  const trustTls: Middleware = async (ctx, next) => {
    if (secure) ctx.cookies.secure = true;
    await next();
  };
  const middleware = session(
    {
      key: SESSION_COOKIE,
      maxAge: idleMs,
      rolling: true,
      httpOnly: true,
      sameSite: 'lax',
      secure,
      signed: true,
      genid: () => randomBytes(32).toString('base64url'),
      store: {
        get: async (key: string, _maxAge: number, { ctx }: { ctx?: Context }) => {
          const data = await store.load(key);
          if (ctx && data) loaded.set(ctx, data);
          return data;
        },
        set: async (key: string, data: SessionData, maxAge: number, { ctx, changed }: { ctx?: Context; changed?: boolean }) => {
          // Only a login creates a record. Any other save updates one, and never resurrects a session that was
          // ended (logout, password change, deletion) while this request was running.
          if (ctx && starting.delete(ctx)) {
            created.set(ctx, contentOf(data));
            return store.create(key, data, maxAge);
          }
          // The login's own final save repeats what it just created.
          if (ctx && created.get(ctx) === contentOf(data)) return;
          // The idle timeout rolls with use, but pushing it on every request would cost a write per read: the
          // deadline moves when it has aged by the touch interval (the session may end up to that much early).
          const before = ctx && loaded.get(ctx)?._expire;
          const after = data._expire;
          if (!changed && typeof before === 'number' && typeof after === 'number' && after - before < touchIntervalMs) return;
          await store.save(key, data, maxAge);
        },
        // A key that found no record in this request (a visitor's first, random one) has nothing to delete.
        destroy: async (key: string, { ctx }: { ctx?: Context } = {}) => {
          if (ctx && !loaded.has(ctx)) return;
          await store.end(key);
        },
      },
    },
    app,
  );
  return [trustTls, middleware];
}

/** Starts a new session for the user under a new id: any session id the client had before is dropped (no fixation). */
export async function startSession(ctx: Context, userId: string): Promise<void> {
  starting.add(ctx);
  ctx.session!.userId = userId;
  await ctx.session!.regenerate();
}

export function endSession(ctx: Context): void {
  ctx.session = null;
}

/** The opaque key of the caller's session, as the client holds it. */
export function sessionKeyOf(ctx: Context): string | undefined {
  return ctx.session?.externalKey;
}

/** The caller, with the account as read on this request. */
export interface Identified extends Caller {
  user: UserView;
}

/**
 * Resolves the caller from the session. The role is read from the database on every request, never from the
 * cookie or the session record, so a role change or a deletion applies at once.
 */
export function callers(users: UserRepository) {
  async function optional(ctx: Context): Promise<Identified | undefined> {
    const userId = ctx.session?.userId;
    if (typeof userId !== 'string') return undefined;
    const user = await users.findById(userId);
    // Disabling an account deletes its sessions; this also refuses one that slipped past (belt and braces).
    if (!user || !user.isActive) {
      endSession(ctx);
      return undefined;
    }
    return { userId: user.id, role: user.role, user: viewOf(user) };
  }
  async function required(ctx: Context): Promise<Identified> {
    const caller = await optional(ctx);
    if (!caller) throw new NotAuthenticated();
    return caller;
  }
  return { optional, required };
}
export type Callers = ReturnType<typeof callers>;
