import { z } from 'zod';
import { loginAnswers, mfaOperations } from './mfa/operations.js';
import { changeEmailBody, forgotAnswer, forgotPasswordBody, resetPasswordBody, verifyEmailBody } from './email/schemas.js';
import { SESSION_COOKIE } from './session.js';
import { CANONICAL_ID } from './user-router.js';
import { changePasswordBody, changeRoleBody, createUserBody, listUsersQuery, loginBody, problem, userPage, userView } from './schemas.js';
import { sessionList } from './sessions/schemas.js';
import { accessTokenResult, jwks } from './tokens/schemas.js';

import { auditOperations } from './audit/audit-operations.js';

type Method = 'get' | 'post' | 'put' | 'delete';

/** One operation of the API, described from the same zod schemas that validate its requests. */
export interface Operation {
  method: Method;
  path: string;
  tag: 'users' | 'sessions' | 'tokens' | 'second factor' | 'recovery' | 'operations' | 'audit';
  summary: string;
  /** none: public; optional: a session changes what is allowed; session: 401 without one. */
  auth: 'none' | 'optional' | 'session';
  body?: z.ZodType;
  example?: unknown;
  query?: z.ZodObject;
  success: { status: number; schema?: z.ZodType; contentType?: string; description: string };
  errors: number[];
  /** The name generated clients give the call; by default made from the method and path (see operationIdOf). */
  operationId?: string;
}

/**
 * A stable name for an operation from its method and path: `PUT /users/{id}/password` is `putUsersByIdPassword`,
 * `GET /.well-known/jwks.json` is `getWellKnownJwksJson`. Unique as long as method and path are.
 */
export function operationIdOf(op: Pick<Operation, 'method' | 'path' | 'operationId'>): string {
  if (op.operationId) return op.operationId;
  const words = op.path
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => (segment.startsWith('{') ? [`by-${segment.slice(1, -1)}`] : [segment]))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/).filter(Boolean));
  return op.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/**
 * Every /users/{id}/… operation also answers on /users/me/…, for the caller's own account: documented as its own
 * path, so a client that knows only its session can call it.
 */
function ownAccountTwins(ops: Operation[]): Operation[] {
  const documented = new Set(ops.map((op) => `${op.method} ${op.path}`));
  return ops.flatMap((op) => {
    if (!op.path.startsWith('/users/{id}/')) return [];
    const path = op.path.replace('/users/{id}/', '/users/me/');
    if (documented.has(`${op.method} ${path}`)) return [];
    return [
      {
        ...op,
        path,
        summary: `${op.summary}, on the caller's own account`,
        errors: op.errors.filter((e) => e !== 404),
        operationId: undefined,
      },
    ];
  });
}

/** Every {id} in a path is a UUID in lower case as the service gives it; any other spelling is answered 404. */
const uuidParam = (what: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid', pattern: CANONICAL_ID.source, minLength: 36, maxLength: 36 },
  description: `${what}, a UUID in lower case as the service gives it; any other spelling is answered 404 like an unknown id`,
});
const idParam = (path: string) => uuidParam(path.startsWith('/webauthn') ? 'Passkey id' : 'User id');
const sessionIdParam = uuidParam('Session id (public)');

export const operations: Operation[] = [
  {
    method: 'post',
    path: '/users',
    tag: 'users',
    summary: 'Register a user (an admin session may create admins)',
    auth: 'optional',
    body: createUserBody,
    example: { username: 'ada.lovelace', password: 'analytical engine 1843' },
    success: { status: 201, schema: userView, description: 'Created; Location names the new user' },
    errors: [400, 403, 409, 413, 415, 429, 503],
  },
  {
    method: 'post',
    path: '/login',
    tag: 'sessions',
    summary: 'Log in: starts a session (cookie, or a session token with "session": "token")',
    auth: 'none',
    body: loginBody,
    example: { username: 'ada.lovelace', password: 'analytical engine 1843' },
    success: {
      status: 200,
      schema: z.union(loginAnswers),
      description:
        'Logged in; Set-Cookie carries the session, or `sessionToken` (shown once, no cookie). With a second factor: {mfaRequired, methods} and a session that can only finish the login (POST /login/mfa) within 5 minutes',
    },
    errors: [400, 401, 403, 413, 415, 429, 503],
  },
  {
    method: 'post',
    path: '/logout',
    tag: 'sessions',
    summary: 'End the session',
    auth: 'session',
    success: { status: 204, description: 'The session is deleted on the server' },
    errors: [401, 403],
  },
  {
    method: 'get',
    path: '/users',
    tag: 'users',
    summary: 'List users, oldest first, or search them by the start of their username or address (admin)',
    auth: 'session',
    query: listUsersQuery,
    success: { status: 200, schema: userPage, description: 'A page of users' },
    errors: [400, 401, 403],
  },
  {
    method: 'get',
    path: '/users/me',
    tag: 'users',
    summary: 'The logged-in user',
    auth: 'session',
    success: { status: 200, schema: userView, description: 'The caller' },
    errors: [401],
  },
  {
    method: 'get',
    path: '/users/{id}',
    tag: 'users',
    summary: 'A user (self, or any for an admin)',
    auth: 'session',
    success: { status: 200, schema: userView, description: 'The user' },
    errors: [401, 403, 404],
  },
  {
    method: 'put',
    path: '/users/{id}/password',
    tag: 'users',
    summary: 'Change a password (own: with currentPassword; admin: any other without)',
    auth: 'session',
    body: changePasswordBody,
    example: { currentPassword: 'analytical engine 1843', newPassword: 'difference engine no 2' },
    success: {
      status: 204,
      description:
        "Changed; the user's other sessions end. One's own password also needs an authentication within REAUTH_WINDOW_SECONDS (403 reauthentication-required)",
    },
    errors: [400, 401, 403, 404, 413, 415, 429, 503],
  },
  {
    method: 'put',
    path: '/users/{id}/role',
    tag: 'users',
    summary: "Change a user's role (admin)",
    auth: 'session',
    body: changeRoleBody,
    example: { role: 'admin' },
    success: { status: 200, schema: userView, description: 'The updated user' },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  {
    method: 'delete',
    path: '/users/{id}',
    tag: 'users',
    summary: 'Delete a user (admin, not itself)',
    auth: 'session',
    success: { status: 204, description: "Deleted; the user's sessions end" },
    errors: [401, 403, 404, 409],
  },
  ...auditOperations,
  ...mfaOperations,
  {
    method: 'get',
    path: '/sessions',
    tag: 'sessions',
    summary: "The caller's live sessions, newest first",
    auth: 'session',
    success: { status: 200, schema: sessionList, description: 'Sessions; `current` marks the one of this request' },
    errors: [401],
  },
  {
    method: 'delete',
    path: '/sessions',
    tag: 'sessions',
    summary: "End all the caller's sessions but the current one",
    auth: 'session',
    success: { status: 204, description: 'Ended; user.sessions_ended is written' },
    errors: [401, 403],
  },
  {
    method: 'delete',
    path: '/sessions/{id}',
    tag: 'sessions',
    summary: "End one of the caller's own sessions",
    auth: 'session',
    success: { status: 204, description: 'Ended; user.sessions_ended is written' },
    errors: [401, 403, 404],
  },
  {
    method: 'get',
    path: '/users/{id}/sessions',
    tag: 'sessions',
    summary: "A user's live sessions (admin, or the user itself)",
    auth: 'session',
    success: { status: 200, schema: sessionList, description: 'Sessions, newest first' },
    errors: [401, 403, 404],
  },
  {
    method: 'delete',
    path: '/users/{id}/sessions',
    tag: 'sessions',
    summary: 'End every session of a user (admin, or the user itself)',
    auth: 'session',
    success: { status: 204, description: 'Ended; user.sessions_ended is written' },
    errors: [401, 403, 404],
  },
  {
    method: 'post',
    path: '/token',
    tag: 'tokens',
    summary: 'A short-lived signed access token for the caller’s session (cookie or session token; not an access token)',
    auth: 'session',
    success: { status: 200, schema: accessTokenResult, description: 'The token; verify it with /.well-known/jwks.json' },
    errors: [401, 403],
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    tag: 'tokens',
    summary: 'The public keys that verify access tokens (JWKS)',
    auth: 'none',
    success: { status: 200, schema: jwks, description: 'Current, next and recently retired keys; Cache-Control max-age 600' },
    errors: [],
  },
  {
    method: 'put',
    path: '/users/{id}/email',
    tag: 'users',
    summary:
      "Set or change an address (own: with currentPassword; admin: anyone's). A verification link goes to it; a verified old address is told",
    auth: 'session',
    body: changeEmailBody,
    example: { email: 'ada@example.com', currentPassword: 'analytical engine 1843' },
    success: {
      status: 200,
      schema: userView,
      description:
        "The updated user, emailVerified false until the link is followed. One's own address also needs an authentication within REAUTH_WINDOW_SECONDS (403 reauthentication-required); an admin changing another user's does not",
    },
    errors: [400, 401, 403, 404, 409, 413, 415, 429, 503],
  },
  {
    method: 'post',
    path: '/email/verify',
    tag: 'recovery',
    summary: 'Verify an address with the token from the link fragment',
    auth: 'none',
    body: verifyEmailBody,
    example: { token: 'the value after #token= in the link' },
    success: { status: 204, description: 'Verified (emailVerified: true)' },
    errors: [400, 413, 415, 429],
  },
  {
    method: 'post',
    path: '/email/verify/resend',
    tag: 'recovery',
    summary: "Send a new verification link to the caller's address",
    auth: 'session',
    success: { status: 202, description: 'A new link is on its way (older ones are void); nothing is sent for a verified address' },
    errors: [400, 401, 403, 429],
  },
  {
    method: 'post',
    path: '/password/forgot',
    tag: 'recovery',
    summary: 'Ask for a password-reset link, by username or verified address: always the same 202',
    auth: 'none',
    body: forgotPasswordBody,
    example: { username: 'ada@example.com' },
    success: { status: 202, schema: forgotAnswer, description: 'The same answer whether or not the account exists' },
    errors: [400, 413, 415, 429],
  },
  {
    method: 'post',
    path: '/password/reset',
    tag: 'recovery',
    summary: 'Set a new password with a reset token: ends every session, does not log in',
    auth: 'none',
    body: resetPasswordBody,
    example: { token: 'the value after #token= in the link', newPassword: 'jacquard loom cards 1804' },
    success: { status: 204, description: 'Changed; log in with the new password' },
    errors: [400, 413, 415, 429, 503],
  },
  {
    method: 'get',
    path: '/health/live',
    tag: 'operations',
    summary: 'Liveness: the process runs',
    auth: 'none',
    success: { status: 200, description: 'Alive' },
    errors: [],
  },
  {
    method: 'get',
    path: '/health/ready',
    tag: 'operations',
    summary: 'Readiness: database reachable, migrations applied, relay state and outbox lag',
    auth: 'none',
    success: { status: 200, description: 'Ready (503 with the same body when not)' },
    errors: [503],
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'operations',
    summary: 'Prometheus metrics',
    auth: 'none',
    success: { status: 200, contentType: 'text/plain', description: 'Prometheus text format' },
    errors: [],
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'operations',
    summary: 'This document',
    auth: 'none',
    success: { status: 200, description: 'OpenAPI 3.1' },
    errors: [],
  },
  {
    method: 'get',
    path: '/docs',
    tag: 'operations',
    summary: 'This document, for people',
    auth: 'none',
    success: { status: 200, contentType: 'text/html', description: 'Swagger UI' },
    errors: [],
  },
];

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });

function queryParameters(query: z.ZodObject) {
  return Object.entries(query.shape).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema: jsonSchema(schema as z.ZodType),
  }));
}

/** The OpenAPI 3.1 document of the API, built from the request schemas themselves, so it cannot drift. */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of [...operations, ...ownAccountTwins(operations)]) {
    const { status, schema, contentType = 'application/json', description } = op.success;
    const responses: Record<string, unknown> = {
      [status]: {
        description,
        ...(schema || contentType !== 'application/json'
          ? { content: { [contentType]: schema ? { schema: jsonSchema(schema) } : {} } }
          : {}),
      },
    };
    for (const code of op.errors) responses[code] = { $ref: '#/components/responses/Problem' };
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      tags: [op.tag],
      operationId: operationIdOf(op),
      summary: op.summary,
      ...(op.auth === 'session' && { security: [{ session: [] }, { bearer: [] }] }),
      ...(op.auth === 'optional' && { security: [{}, { session: [] }, { bearer: [] }] }),
      ...(op.path.includes('{id}') && { parameters: [op.path.startsWith('/sessions/') ? sessionIdParam : idParam(op.path)] }),
      ...(op.query && { parameters: queryParameters(op.query) }),
      ...(op.body && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: jsonSchema(op.body), ...(op.example !== undefined && { example: op.example }) } },
        },
      }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'authsvc',
      version,
      description:
        'Registration, login with server-side sessions, and user management. Errors are RFC 9457 ' +
        'application/problem+json with a stable `code`.',
    },
    tags: [
      { name: 'sessions', description: 'Log in and out (server-side sessions, cookie `' + SESSION_COOKIE + '`)' },
      { name: 'users', description: 'Accounts and their rules' },
      { name: 'audit', description: 'What happened to accounts and sessions' },
      { name: 'second factor', description: 'One-time codes (TOTP), recovery codes and passkeys (WebAuthn)' },
      { name: 'tokens', description: 'Signed access tokens for other services, and the keys that verify them' },
      { name: 'recovery', description: 'Email verification and password reset; tokens travel in link fragments' },
      { name: 'operations', description: 'Health, metrics and this document' },
    ],
    paths,
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A session token (POST /login with "session": "token"): accepted wherever the cookie is. Or an access token ' +
            '(POST /token): accepted for reads; a state change also needs its session still live.',
        },
      },
      responses: {
        Problem: { description: 'An error', content: { 'application/problem+json': { schema: jsonSchema(problem) } } },
      },
    },
  };
}
