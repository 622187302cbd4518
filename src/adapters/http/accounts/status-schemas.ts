import { z } from 'zod';
import { ACCOUNT_STATUSES, MAX_STATUS_REASON } from '../../../domain/account-status.js';

export const changeStatusBody = z.strictObject({
  status: z.enum(ACCOUNT_STATUSES),
  reason: z.string().max(MAX_STATUS_REASON, `must be at most ${MAX_STATUS_REASON} characters`).optional(),
});
