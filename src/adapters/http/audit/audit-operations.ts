import type { Operation } from '../openapi.js';
import { userView } from '../schemas.js';
import { changeStatusBody } from '../accounts/status-schemas.js';
import { activityQuery, auditPage, auditQuery } from './audit-schemas.js';

/** The OpenAPI operations of account status and the audit trail. */
export const auditOperations: Operation[] = [
  {
    method: 'put',
    path: '/users/{id}/status',
    tag: 'users',
    summary: 'Disable an account (its sessions end) or enable it (admin, never itself)',
    auth: 'session',
    body: changeStatusBody,
    example: { status: 'disabled', reason: 'left the company' },
    success: { status: 200, schema: userView, description: 'The updated user' },
    errors: ['validation-failed', 'forbidden', 'user-not-found', 'cannot-disable-self', 'last-admin'],
  },
  {
    method: 'get',
    path: '/audit',
    tag: 'audit',
    summary: 'The audit trail, newest first (admin)',
    auth: 'session',
    query: auditQuery,
    success: { status: 200, schema: auditPage, description: 'A page of entries' },
    errors: ['validation-failed', 'forbidden'],
  },
  {
    method: 'get',
    path: '/users/me/activity',
    tag: 'audit',
    summary: "The caller's own sign-ins, session ends and security changes",
    auth: 'session',
    query: activityQuery,
    success: { status: 200, schema: auditPage, description: 'A page of entries, newest first' },
    errors: ['validation-failed'],
  },
];
