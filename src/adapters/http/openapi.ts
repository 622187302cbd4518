import { z } from 'zod';
import { changeEmailBody, forgotAnswer, forgotPasswordBody, resetPasswordBody, verifyEmailBody } from './email/schemas.js';
import { SESSION_COOKIE } from './session.js';
import {
  changePasswordBody,
  changeRoleBody,
  createUserBody,
  listUsersQuery,
  loginBody,
  loginResult,
  problem,
  userPage,
  userView,
} from './schemas.js';

type Method = 'get' | 'post' | 'put' | 'delete';

/** One operation of the API, described from the same zod schemas that validate its requests. */
export interface Operation {
  method: Method;
  path: string;
  tag: 'users' | 'sessions' | 'recovery' | 'operations';
  summary: string;
  /** none: public; optional: a session changes what is allowed; session: 401 without one. */
  auth: 'none' | 'optional' | 'session';
  body?: z.ZodType;
  example?: unknown;
  query?: z.ZodObject;
  success: { status: number; schema?: z.ZodType; contentType?: string; description: string };
  errors: number[];
}

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'User id' };

export const operations: Operation[] = [
  {
    method: 'post', path: '/users', tag: 'users', summary: 'Register a user (an admin session may create admins)', auth: 'optional',
    body: createUserBody, example: { username: 'ada.lovelace', password: 'analytical engine 1843' },
    success: { status: 201, schema: userView, description: 'Created; Location names the new user' },
    errors: [400, 403, 409, 413, 415, 503],
  },
  {
    method: 'post', path: '/login', tag: 'sessions', summary: 'Log in: starts a session (cookie)', auth: 'none',
    body: loginBody, example: { username: 'ada.lovelace', password: 'analytical engine 1843' },
    success: { status: 200, schema: loginResult, description: 'Logged in; Set-Cookie carries the session' },
    errors: [400, 401, 413, 415, 429, 503],
  },
  {
    method: 'post', path: '/logout', tag: 'sessions', summary: 'End the session', auth: 'session',
    success: { status: 204, description: 'The session is deleted on the server' }, errors: [401, 403],
  },
  {
    method: 'get', path: '/users', tag: 'users', summary: 'List users, oldest first (admin)', auth: 'session', query: listUsersQuery,
    success: { status: 200, schema: userPage, description: 'A page of users' }, errors: [400, 401, 403],
  },
  {
    method: 'get', path: '/users/me', tag: 'users', summary: 'The logged-in user', auth: 'session',
    success: { status: 200, schema: userView, description: 'The caller' }, errors: [401],
  },
  {
    method: 'get', path: '/users/{id}', tag: 'users', summary: 'A user (self, or any for an admin)', auth: 'session',
    success: { status: 200, schema: userView, description: 'The user' }, errors: [401, 403, 404],
  },
  {
    method: 'put', path: '/users/{id}/password', tag: 'users', summary: 'Change a password (own: with currentPassword; admin: any other without)',
    auth: 'session', body: changePasswordBody,
    example: { currentPassword: 'analytical engine 1843', newPassword: 'difference engine no 2' },
    success: { status: 204, description: "Changed; the user's other sessions end" },
    errors: [400, 401, 403, 404, 413, 415, 429, 503],
  },
  {
    method: 'put', path: '/users/{id}/role', tag: 'users', summary: "Change a user's role (admin)", auth: 'session',
    body: changeRoleBody, example: { role: 'admin' },
    success: { status: 200, schema: userView, description: 'The updated user' }, errors: [400, 401, 403, 404, 409, 413, 415],
  },
  {
    method: 'delete', path: '/users/{id}', tag: 'users', summary: 'Delete a user (admin, not itself)', auth: 'session',
    success: { status: 204, description: "Deleted; the user's sessions end" }, errors: [401, 403, 404, 409],
  },
  {
    method: 'put', path: '/users/{id}/email', tag: 'users',
    summary: "Set or change an address (own: with currentPassword; admin: anyone's). A verification link goes to it; a verified old address is told",
    auth: 'session', body: changeEmailBody, example: { email: 'ada@example.com', currentPassword: 'analytical engine 1843' },
    success: { status: 200, schema: userView, description: 'The updated user, emailVerified false until the link is followed' },
    errors: [400, 401, 403, 404, 409, 413, 415, 429, 503],
  },
  {
    method: 'post', path: '/email/verify', tag: 'recovery', summary: 'Verify an address with the token from the link fragment', auth: 'none',
    body: verifyEmailBody, example: { token: 'the value after #token= in the link' },
    success: { status: 204, description: 'Verified (emailVerified: true)' },
    errors: [400, 413, 415, 429],
  },
  {
    method: 'post', path: '/email/verify/resend', tag: 'recovery', summary: "Send a new verification link to the caller's address", auth: 'session',
    success: { status: 202, description: 'A new link is on its way (older ones are void); nothing is sent for a verified address' },
    errors: [400, 401, 403, 429],
  },
  {
    method: 'post', path: '/password/forgot', tag: 'recovery',
    summary: 'Ask for a password-reset link, by username or verified address: always the same 202', auth: 'none',
    body: forgotPasswordBody, example: { username: 'ada@example.com' },
    success: { status: 202, schema: forgotAnswer, description: 'The same answer whether or not the account exists' },
    errors: [400, 413, 415, 429],
  },
  {
    method: 'post', path: '/password/reset', tag: 'recovery',
    summary: 'Set a new password with a reset token: ends every session, does not log in', auth: 'none',
    body: resetPasswordBody, example: { token: 'the value after #token= in the link', newPassword: 'jacquard loom cards 1804' },
    success: { status: 204, description: 'Changed; log in with the new password' },
    errors: [400, 413, 415, 429, 503],
  },
  {
    method: 'get', path: '/health/live', tag: 'operations', summary: 'Liveness: the process runs', auth: 'none',
    success: { status: 200, description: 'Alive' }, errors: [],
  },
  {
    method: 'get', path: '/health/ready', tag: 'operations', summary: 'Readiness: database reachable, migrations applied, relay state and outbox lag',
    auth: 'none', success: { status: 200, description: 'Ready (503 with the same body when not)' }, errors: [503],
  },
  {
    method: 'get', path: '/metrics', tag: 'operations', summary: 'Prometheus metrics', auth: 'none',
    success: { status: 200, contentType: 'text/plain', description: 'Prometheus text format' }, errors: [],
  },
  {
    method: 'get', path: '/openapi.json', tag: 'operations', summary: 'This document', auth: 'none',
    success: { status: 200, description: 'OpenAPI 3.1' }, errors: [],
  },
  {
    method: 'get', path: '/docs', tag: 'operations', summary: 'This document, for people', auth: 'none',
    success: { status: 200, contentType: 'text/html', description: 'Swagger UI' }, errors: [],
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
  for (const op of operations) {
    const { status, schema, contentType = 'application/json', description } = op.success;
    const responses: Record<string, unknown> = {
      [status]: { description, ...(schema || contentType !== 'application/json' ? { content: { [contentType]: schema ? { schema: jsonSchema(schema) } : {} } } : {}) },
    };
    for (const code of op.errors) responses[code] = { $ref: '#/components/responses/Problem' };
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      tags: [op.tag],
      summary: op.summary,
      ...(op.auth === 'session' && { security: [{ session: [] }] }),
      ...(op.auth === 'optional' && { security: [{}, { session: [] }] }),
      ...(op.path.includes('{id}') && { parameters: [idParam] }),
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
      { name: 'recovery', description: 'Email verification and password reset; tokens travel in link fragments' },
      { name: 'operations', description: 'Health, metrics and this document' },
    ],
    paths,
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } },
      responses: {
        Problem: { description: 'An error', content: { 'application/problem+json': { schema: jsonSchema(problem) } } },
      },
    },
  };
}
