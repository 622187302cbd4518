import { z } from 'zod';

// Response shapes of the session routes: they document what the handlers return.
export const sessionView = z.object({
  id: z.string().uuid().describe('Public id of the session (the `sid` of access tokens issued from it); never its secret'),
  current: z.boolean().describe('The session this request was made with'),
  type: z.enum(['cookie', 'token']).describe('How the client holds it: a cookie, or a session token (Authorization: Bearer)'),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime().describe('Updated at most once a minute'),
  expiresAt: z.iso.datetime().describe('The earlier of the idle and the absolute deadline, as of now'),
  ip: z.string().nullable().describe('Client address at login'),
  userAgent: z.string().nullable().describe('User-Agent at login (first 512 characters)'),
});

export const sessionList = z.object({ sessions: z.array(sessionView).describe('Live sessions, newest first') });
