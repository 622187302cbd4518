import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';

/**
 * The device cookie (OWASP's answer to lockout as denial of service): a browser that has signed in to an account
 * before carries a signed cookie naming that account and a random device id. While the account is throttled for
 * everyone else, that browser keeps its own budget of attempts (see Authenticate). It is never a session: it
 * proves nothing about who is at the keyboard, only that this browser signed in as that account once, and it
 * outlives logout, which is its point. One account per browser: a sign-in as another account replaces it.
 */
export const DEVICE_COOKIE = 'authsvc.device';
const MAX_AGE_MS = 180 * 24 * 60 * 60 * 1000;
/** `<username>:<device id>`: usernames are [a-z0-9._-], so the colon is a safe separator. */
const VALUE = /^([a-z0-9._-]{1,64}):([A-Za-z0-9_-]{22})$/;

export interface KnownDevice {
  username: string;
  id: string;
}

/** The device this browser's cookie names, when the cookie is there and its signature (the app keys) holds. */
export function knownDevice(ctx: Context): KnownDevice | undefined {
  const value = ctx.cookies.get(DEVICE_COOKIE, { signed: true });
  const match = value ? VALUE.exec(value) : null;
  return match ? { username: match[1]!, id: match[2]! } : undefined;
}

/** After a completed sign-in (password, second factor or passkey): this browser's device for the account. */
export function rememberDevice(ctx: Context, username: string): void {
  const known = knownDevice(ctx);
  const id = known?.username === username ? known.id : randomBytes(16).toString('base64url');
  ctx.cookies.set(DEVICE_COOKIE, `${username}:${id}`, {
    maxAge: MAX_AGE_MS,
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.secure || ctx.cookies.secure === true,
    signed: true,
    overwrite: true,
    path: '/login',
  });
}
