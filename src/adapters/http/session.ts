import { randomBytes, randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import session from 'koa-session';
import type { Credential, IdentifiedCaller, IdentifyCaller } from '../../application/sessions/identify-caller.js';
import { NotAuthenticated } from '../../domain/errors.js';
import type { LoadedSession, SessionData, SessionStore, SessionType } from '../../application/sessions/ports.js';
import { bearerOf, hasBearer } from './sessions/bearer.js';

export const SESSION_COOKIE = 'authsvc.sid';
/**
 * What one request did with its session record, on `ctx.state` for koa-session's store callbacks (which are
 * handed the context): only a login may create a record, a save must not undo an end, a token's secret is shown once.
 */
interface SessionRecordState {
  /** Set while logging in: the kind of session the login starts, the only case a record may be created. */
  starting?: SessionType;
  /** The record the request's cookie or token found, as loaded (its `_expire` is the idle deadline it had). */
  loaded?: LoadedSession;
  /** What the login stored when it created its session, and the session's public id. */
  created?: { content: string; publicId: string };
  /** The secret of a token session this request started: shown once, in the login answer. */
  issued?: string;
}

declare module 'koa' {
  interface DefaultState {
    sessionRecord?: SessionRecordState;
  }
}

const recordOf = (ctx: Context): SessionRecordState => (ctx.state.sessionRecord ??= {});
/** The session's own data, without koa-session's bookkeeping of its deadline. */
const contentOf = ({ _expire: _e, _maxAge: _m, ...content }: SessionData): string => JSON.stringify(content);
/** A rolling save that would move the idle deadline by less than this is skipped: one write a minute, not one a request. */
const MAX_TOUCH_INTERVAL_MS = 60_000;

/** The session koa-session puts on the context (koa types it `any`), with the fields this service keeps in it. */
export interface RequestSession {
  userId?: string;
  /** Until when a sign-in that still needs its second factor may finish (epoch ms). */
  mfaPendingUntil?: number;
  /** When the caller last proved who they are (epoch ms): the re-authentication window runs from it. */
  authenticatedAt?: number;
  regenerate(): Promise<void> | undefined;
}

/** The request's session, typed: null once ended, undefined before the session middleware ran. */
export function sessionOf(ctx: Context): RequestSession | null | undefined {
  return ctx.session as RequestSession | null | undefined;
}

export interface SessionOptions {
  store: SessionStore;
  idleMs: number;
  secure: boolean;
  /** Ends a session a request replaced (a new login over an old session), through the use case that records it. */
  onReplaced: (session: LoadedSession) => Promise<void>;
}

/**
 * koa-session with the session record in the database: the cookie carries only a random 256-bit id (signed
 * with the app keys), the database only its hash. The idle deadline rolls with use (at most one write per
 * touch interval).
 */
export function sessions(app: Koa, options: SessionOptions): Middleware[] {
  const { store, idleMs, secure, onReplaced } = options;
  const cookieOptions = { maxAge: idleMs, httpOnly: true, sameSite: 'lax' as const, secure, signed: true, overwrite: true };
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
      // The secret comes from the bearer header when there is one (cookies are then ignored), else the cookie.
      externalKey: {
        get: (ctx: Context) => {
          if (hasBearer(ctx)) {
            const bearer = bearerOf(ctx);
            return (bearer?.kind === 'session' ? bearer.value : undefined) as string;
          }
          return ctx.cookies.get(SESSION_COOKIE, { signed: true }) as string;
        },
        set: (ctx: Context, key: string) => {
          // A token client is handed its secret once, in the login answer; it never gets a cookie. A bearer request
          // gets none either, unless it is a login that asked for a cookie session.
          const state = recordOf(ctx);
          if (state.issued !== undefined || (hasBearer(ctx) && !state.created)) return;
          ctx.cookies.set(SESSION_COOKIE, key, cookieOptions);
        },
      },
      store: {
        get: async (key: string, _maxAge: number, { ctx }: { ctx?: Context }) => {
          const record = await store.loadRecord(key, ctx && hasBearer(ctx) ? 'token' : 'cookie');
          if (ctx && record) recordOf(ctx).loaded = record;
          return record?.data;
        },
        set: async (key: string, data: SessionData, maxAge: number, { ctx, changed }: { ctx?: Context; changed?: boolean }) => {
          // Only a login creates a record. Any other save updates one, and never resurrects a session that was
          // ended (logout, password change, deletion) while this request was running.
          const state = ctx && recordOf(ctx);
          const type = state?.starting;
          if (ctx && state && type) {
            state.starting = undefined;
            const publicId = randomUUID();
            state.created = { content: contentOf(data), publicId };
            if (type === 'token') state.issued = key;
            return store.create(key, data, maxAge, { publicId, type, ip: ctx.ip || null, userAgent: ctx.get('User-Agent') || null });
          }
          // The login's own final save repeats what it just created.
          if (state?.created?.content === contentOf(data)) return;
          // The idle timeout rolls with use, but pushing it on every request would cost a write per read: the
          // deadline moves when it has aged by the touch interval (the session may end up to that much early).
          const before = state?.loaded?.data._expire;
          const after = data._expire;
          if (!changed && typeof before === 'number' && typeof after === 'number' && after - before < touchIntervalMs) return;
          await store.save(key, data, maxAge);
        },
        // A key that found no record in this request (a visitor's first, random one) has nothing to delete. A
        // session with an owner ends through the use case, so that its end is recorded as an event.
        destroy: async (key: string, { ctx }: { ctx?: Context } = {}) => {
          const state = ctx && recordOf(ctx);
          const record = state?.loaded;
          if (state && !record) return;
          if (state) state.loaded = undefined;
          if (record?.userId) await onReplaced(record);
          else await store.end(key);
        },
      },
    },
    app,
  );
  return [trustTls, middleware];
}

/**
 * Starts a new session for the user under a new secret: any session the client had before is ended (no
 * fixation). A `token` session's secret is returned, to be shown once; a `cookie` session's goes in the cookie.
 */
export async function startSession(ctx: Context, userId: string, type: SessionType = 'cookie'): Promise<string | undefined> {
  recordOf(ctx).starting = type;
  const current = sessionOf(ctx)!;
  current.userId = userId;
  await current.regenerate();
  return recordOf(ctx).issued; // regenerate() has written the record: the secret handed out is already live
}

/** Forgets the request's session (its record was ended by a use case) and clears the cookie. */
export function endSession(ctx: Context): void {
  recordOf(ctx).loaded = undefined;
  ctx.session = null;
}

/** The public id of the session the request's cookie or session token opened, if any. */
export function sessionIdOf(ctx: Context): string | undefined {
  const { loaded, created } = recordOf(ctx);
  return loaded?.publicId ?? created?.publicId;
}

/** Methods that change nothing: an access token whose session has ended still serves them until it expires. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The credential the request presents: an access token in the bearer header, else its session's user. */
function credentialOf(ctx: Context): Credential | undefined {
  const bearer = bearerOf(ctx);
  if (bearer?.kind === 'access') return { kind: 'access-token', token: bearer.value };
  const userId = sessionOf(ctx)?.userId;
  if (typeof userId !== 'string') return undefined;
  return { kind: 'session', userId, sessionId: sessionIdOf(ctx), via: bearer ? 'session-token' : 'cookie' };
}

/** The caller of a request, as IdentifyCaller decides from the credential the request presents. */
export function callers(identify: Pick<IdentifyCaller, 'execute'>) {
  async function optional(ctx: Context): Promise<IdentifiedCaller | undefined> {
    const credential = credentialOf(ctx);
    if (!credential) return undefined;
    const caller = await identify.execute({ credential, changesState: !READS.has(ctx.method) });
    // A session whose account is gone or disabled (disabling ends its sessions; this catches one that slipped past).
    if (!caller && credential.kind === 'session') endSession(ctx);
    return caller;
  }
  async function required(ctx: Context): Promise<IdentifiedCaller> {
    const caller = await optional(ctx);
    if (!caller) throw new NotAuthenticated();
    return caller;
  }
  /** A caller holding the session itself (cookie or session token), not a token derived from it. */
  async function withSession(ctx: Context): Promise<IdentifiedCaller & { sessionId: string }> {
    const caller = await required(ctx);
    if (caller.via === 'access-token' || caller.sessionId === undefined) throw new NotAuthenticated();
    return caller as IdentifiedCaller & { sessionId: string };
  }
  return { optional, required, withSession };
}
export type Callers = ReturnType<typeof callers>;
