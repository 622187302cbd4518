import Router from '@koa/router';
import type { ChangePassword } from '../../application/accounts/change-password.js';
import type { ChangeRole } from '../../application/accounts/change-role.js';
import type { CreateUser } from '../../application/accounts/create-user.js';
import type { DeleteUser } from '../../application/accounts/delete-user.js';
import type { GetUser } from '../../application/accounts/get-user.js';
import type { ListUsers } from '../../application/accounts/list-users.js';
import { UserNotFound } from '../../domain/errors.js';
import { jsonBody } from './json-body.js';
import { refuseOwnChangeByAccessToken } from './mfa/gate.js';
import { requestContext } from './request-context.js';
import { changePasswordBody, changeRoleBody, createUserBody, listUsersQuery } from './schemas.js';
import type { Callers } from './session.js';
import { bodyOf, queryOf } from './validate.js';

export interface UserRoutes {
  createUser: CreateUser;
  getUser: GetUser;
  listUsers: ListUsers;
  changePassword: ChangePassword;
  changeRole: ChangeRole;
  deleteUser: DeleteUser;
}

/** Ids as the service makes them: UUIDs in lower case, nothing around them. */
export const CANONICAL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The `{id}` of the path, only in the form the service makes ids. Any other spelling (upper case, spaces, other
 * characters a database collation might equate) names no user: the same 404 as an unknown id, before any query,
 * so the rules that compare ids as text (an account cannot delete itself) cannot be sidestepped by an alias.
 */
export function targetId(ctx: { params: Record<string, string | undefined> }): string {
  const id = ctx.params.id ?? '';
  if (!CANONICAL_ID.test(id)) throw new UserNotFound();
  return id;
}

/** In a path, `me` names the caller's own account: PUT /users/me/password is PUT /users/{own id}/password. */
export const ME = 'me';

/** The account a /users/{id}/… path names: the caller's own for `me`, else the canonical `{id}` (see targetId). */
export function pathUserId(ctx: { params: Record<string, string | undefined> }, caller: { userId: string }): string {
  return ctx.params.id === ME ? caller.userId : targetId(ctx);
}

/** Handlers map body → execute() → status and body; every rule is in the use cases. */
export function userRouter(uc: UserRoutes, callers: Callers): Router {
  const router = new Router({ prefix: '/users' });
  const json = jsonBody();

  router.post('/', ...json, async (ctx) => {
    const body = bodyOf(ctx, createUserBody);
    const user = await uc.createUser.execute(body, (await callers.optional(ctx)) ?? 'anonymous', requestContext(ctx));
    ctx.status = 201;
    ctx.set('Location', `/users/${encodeURIComponent(user.id)}`);
    ctx.body = user;
  });

  router.get('/', async (ctx) => {
    const caller = await callers.required(ctx);
    ctx.body = await uc.listUsers.execute(queryOf(ctx, listUsersQuery), caller);
  });

  // The caller's own account was read to identify it on this request: no second read.
  router.get('/me', async (ctx) => {
    ctx.body = (await callers.required(ctx)).user;
  });

  router.get('/:id', async (ctx) => {
    const caller = await callers.required(ctx);
    ctx.body = await uc.getUser.execute({ userId: targetId(ctx) }, caller);
  });

  router.put('/:id/password', ...json, async (ctx) => {
    const caller = await callers.required(ctx);
    refuseOwnChangeByAccessToken(caller, ctx.params.id!);
    const body = bodyOf(ctx, changePasswordBody);
    await uc.changePassword.execute({ userId: pathUserId(ctx, caller), ...body }, caller, {
      sessionId: caller.sessionId,
      ...requestContext(ctx),
    });
    ctx.status = 204;
  });

  router.put('/:id/role', ...json, async (ctx) => {
    const caller = await callers.required(ctx);
    const body = bodyOf(ctx, changeRoleBody);
    ctx.body = await uc.changeRole.execute({ userId: pathUserId(ctx, caller), role: body.role }, caller, requestContext(ctx));
  });

  router.delete('/:id', async (ctx) => {
    const caller = await callers.required(ctx);
    await uc.deleteUser.execute({ userId: targetId(ctx) }, caller, requestContext(ctx));
    ctx.status = 204;
  });

  return router;
}
