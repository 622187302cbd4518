// A small typed client of the service's public JSON API, on the same origin: the session cookie goes along by
// itself, and the browser's Sec-Fetch-Site header satisfies the service's cross-site check.

export type Role = 'user' | 'admin';

export interface User {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
  /** Present once the service has email addresses. */
  email?: string | null;
  emailVerified?: boolean;
  /** Present once the service has account status. */
  status?: 'active' | 'disabled';
}

export interface UserPage {
  users: User[];
  nextCursor: string | null;
}

export interface LoginAnswer {
  id?: string;
  username?: string;
  role?: Role;
  mfaRequired?: boolean;
  methods?: string[];
}

export interface Session {
  id: string;
  current?: boolean;
  type?: string;
  createdAt?: string;
  lastSeenAt?: string;
  expiresAt?: string;
  ip?: string;
  userAgent?: string;
}

/** GET /mfa: which second factors the caller has on. */
export interface MfaStatus {
  totp: boolean;
  passkeys: number;
  recoveryCodesRemaining: number;
}

export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

export interface Passkey {
  id: string;
  name: string;
  createdAt?: string;
  lastUsedAt?: string;
}

/** One audit entry; the names the service uses are read loosely, so the page shows what is there. */
export interface AuditEntry {
  id: string;
  time: string;
  type: string;
  outcome?: string;
  actor?: string;
  userId?: string;
  ip?: string;
  userAgent?: string;
  requestId?: string;
  details?: Record<string, unknown>;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

export interface FieldIssue {
  field: string;
  reason: string;
}

/** RFC 9457 problem details, as the service answers every error. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldIssue[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** Seconds to wait before trying again (Retry-After), when the service said. */
    readonly retryAfter?: number,
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
  }

  get code(): string | undefined {
    return this.problem.code;
  }

  /**
   * The endpoint is not there at all (an older or partly upgraded service): the router's own 404 or 405, as
   * opposed to a 404 about a thing the endpoint looked for (`user-not-found`, ...).
   */
  get notDeployed(): boolean {
    return (this.status === 404 && (this.code === 'not-found' || this.code === undefined)) || this.status === 405 || this.status === 501;
  }
}

/** The network failed or the answer was not the service's JSON. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

type Listener = (error: ApiError) => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called when any request answers 401: the session ended (signed out elsewhere, disabled, expired). */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

async function send<T>(method: string, path: string, body?: unknown, options: { quiet401?: boolean } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { Accept: 'application/json, application/problem+json', ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch {
    throw new NetworkError('The service could not be reached. Check your connection and try again.');
  }
  const type = res.headers.get('Content-Type') ?? '';
  const json: unknown = type.includes('json') && res.status !== 204 ? await res.json().catch(() => undefined) : undefined;
  if (res.ok) return json as T;
  const problem: Problem =
    json && typeof json === 'object' && 'title' in json
      ? (json as Problem)
      : { title: res.statusText || 'Request failed', status: res.status };
  const retryAfter = Number(res.headers.get('Retry-After') ?? NaN);
  const error = new ApiError(res.status, problem, Number.isFinite(retryAfter) ? retryAfter : undefined);
  if (res.status === 401 && !options.quiet401) for (const listener of unauthenticatedListeners) listener(error);
  throw error;
}

const enc = encodeURIComponent;

function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== '') as [string, string | number][];
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}

function listOf<T>(json: unknown, ...keys: string[]): T[] {
  if (Array.isArray(json)) return json as T[];
  if (json && typeof json === 'object') {
    for (const key of keys) {
      const value = (json as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value as T[];
    }
  }
  return [];
}

function cursorOf(json: unknown): string | null {
  if (!json || typeof json !== 'object') return null;
  const { nextCursor, next } = json as { nextCursor?: unknown; next?: unknown };
  const cursor = nextCursor ?? next;
  return typeof cursor === 'string' && cursor !== '' ? cursor : null;
}

function auditEntryOf(raw: Record<string, unknown>): AuditEntry {
  const str = (...keys: string[]): string | undefined => {
    for (const key of keys) {
      const value = raw[key];
      if (typeof value === 'string') return value;
      if (value && typeof value === 'object' && key === 'actor') {
        const actor = value as Record<string, unknown>;
        const name = actor.username ?? actor.id ?? actor.userId ?? actor.kind ?? actor.type;
        if (typeof name === 'string') return name;
      }
    }
    return undefined;
  };
  const details = raw.details ?? raw.data;
  return {
    id: str('id') ?? String(typeof raw.id === 'number' ? raw.id : ''),
    time: str('time', 'at', 'occurredAt', 'createdAt') ?? '',
    type: str('type') ?? '',
    outcome: str('outcome'),
    actor: str('actor', 'actorId', 'actorUserId'),
    userId: str('subjectUserId', 'subjectId', 'userId', 'subject'),
    ip: str('clientAddress', 'client', 'ip'),
    userAgent: str('userAgent'),
    requestId: str('requestId'),
    details: details && typeof details === 'object' ? (details as Record<string, unknown>) : undefined,
  };
}

function auditPageOf(json: unknown): AuditPage {
  return {
    entries: listOf<Record<string, unknown>>(json, 'entries', 'activity', 'events', 'items', 'audit').map(auditEntryOf),
    nextCursor: cursorOf(json),
  };
}

export interface AuditFilter {
  userId?: string;
  type?: string;
  since?: string;
  until?: string;
  limit?: number;
  after?: string;
}

export const api = {
  me: () => send<User>('GET', '/users/me', undefined, { quiet401: true }),
  logIn: (body: { username: string; password: string }) => send<LoginAnswer>('POST', '/login', body, { quiet401: true }),
  logOut: () => send<void>('POST', '/logout'),
  register: (body: { username: string; password: string; email?: string }) => send<User>('POST', '/users', body),

  loginMfa: (body: { code: string } | { recoveryCode: string } | { webauthn: unknown }) =>
    send<LoginAnswer>('POST', '/login/mfa', body, { quiet401: true }),
  loginMfaWebauthnOptions: () => send<unknown>('POST', '/login/mfa/webauthn/options', {}, { quiet401: true }),
  passkeyLoginOptions: (username?: string) =>
    send<unknown>('POST', '/webauthn/login/options', username ? { username } : {}, { quiet401: true }),
  passkeyLogin: (response: unknown) => send<LoginAnswer>('POST', '/webauthn/login', { response }, { quiet401: true }),

  forgotPassword: (username: string) => send<unknown>('POST', '/password/forgot', { username }),
  resetPassword: (token: string, newPassword: string) => send<void>('POST', '/password/reset', { token, newPassword }),
  verifyEmail: (token: string) => send<void>('POST', '/email/verify', { token }),
  resendVerification: () => send<void>('POST', '/email/verify/resend', {}),
  changeEmail: (userId: string, body: { email: string; currentPassword?: string }) =>
    send<User>('PUT', `/users/${enc(userId)}/email`, body),

  changePassword: (userId: string, body: { currentPassword?: string; newPassword: string }) =>
    send<void>('PUT', `/users/${enc(userId)}/password`, body),
  reauthenticate: (password: string) => send<void>('POST', '/reauthenticate', { password }),

  sessions: async () => listOf<Session>(await send<unknown>('GET', '/sessions'), 'sessions'),
  endSession: (id: string) => send<void>('DELETE', `/sessions/${enc(id)}`),
  endOtherSessions: () => send<void>('DELETE', '/sessions'),

  mfaStatus: () => send<MfaStatus>('GET', '/mfa'),
  enrolTotp: () => send<TotpEnrolment>('POST', '/mfa/totp', {}),
  confirmTotp: (code: string) => send<{ recoveryCodes: string[] }>('POST', '/mfa/totp/confirm', { code }),
  disableTotp: () => send<void>('DELETE', '/mfa/totp'),
  regenerateRecoveryCodes: () => send<{ recoveryCodes: string[] }>('POST', '/mfa/recovery-codes', {}),
  passkeys: async () => listOf<Passkey>(await send<unknown>('GET', '/webauthn/credentials'), 'credentials', 'passkeys'),
  passkeyRegistrationOptions: () => send<unknown>('POST', '/webauthn/register/options', {}),
  registerPasskey: (response: unknown, name: string) => send<Passkey>('POST', '/webauthn/register', { response, name }),
  deletePasskey: (id: string) => send<void>('DELETE', `/webauthn/credentials/${enc(id)}`),

  myActivity: async () => auditPageOf(await send<unknown>('GET', '/users/me/activity')),

  users: (params: { q?: string; limit?: number; after?: string }) => send<UserPage>('GET', `/users${query(params)}`),
  user: (id: string) => send<User>('GET', `/users/${enc(id)}`),
  changeRole: (id: string, role: Role) => send<User>('PUT', `/users/${enc(id)}/role`, { role }),
  changeStatus: (id: string, status: 'active' | 'disabled', reason?: string) =>
    send<User>('PUT', `/users/${enc(id)}/status`, { status, ...(reason ? { reason } : {}) }),
  deleteUser: (id: string) => send<void>('DELETE', `/users/${enc(id)}`),
  userSessions: async (id: string) => listOf<Session>(await send<unknown>('GET', `/users/${enc(id)}/sessions`), 'sessions'),
  endUserSessions: (id: string) => send<void>('DELETE', `/users/${enc(id)}/sessions`),
  audit: async (filter: AuditFilter) => auditPageOf(await send<unknown>('GET', `/audit${query({ ...filter })}`)),
};
