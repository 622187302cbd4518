import { ValidationFailed } from './errors.js';

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function parseRole(raw: string, field = 'role'): Role {
  if ((ROLES as readonly string[]).includes(raw)) return raw as Role;
  throw new ValidationFailed(field, `must be one of ${ROLES.join(', ')}`);
}
