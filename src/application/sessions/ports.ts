/** The kind of client a session serves: a browser's cookie, or a native client's bearer session token. */
export type SessionType = 'cookie' | 'token';
/** What a session record holds: the signed-in user and the per-session state the HTTP edge keeps. */
export type SessionData = Record<string, unknown> & { userId?: string };

/** A session record as a request found it. */
export interface LoadedSession {
  data: SessionData;
  publicId: string;
  userId: string | null;
  type: SessionType;
}

/** What a login records about the session it starts. */
export interface NewSession {
  publicId: string;
  type: SessionType;
  ip: string | null;
  userAgent: string | null;
}

/**
 * The records behind session cookies and session tokens, keyed by the secret the client holds (stored only as
 * its hash). A session ends when idle past its rolling deadline, and in any case at its absolute deadline.
 */
export interface SessionStore {
  /** The live session under this secret, if it was made for this kind of client. */
  loadRecord(sessionKey: string, type?: SessionType): Promise<LoadedSession | undefined>;
  create(sessionKey: string, data: SessionData, idleMs: number, given?: Partial<NewSession>): Promise<void>;
  /** Updates a live record; false when there is none (it ended meanwhile), which is never brought back. */
  save(sessionKey: string, data: SessionData, idleMs: number): Promise<boolean>;
  end(sessionKey: string): Promise<void>;
  /** Deletes expired records; returns how many. */
  purgeExpired(): Promise<number>;
}
export const SessionStore = Symbol('SessionStore');
