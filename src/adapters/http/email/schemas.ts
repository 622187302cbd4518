import { z } from 'zod';

// Shapes only: the domain owns the rules on values (what an address is, the password policy).
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const token = text(256).describe('The token from the link fragment (#token=…)');

export const changeEmailBody = z.strictObject({
  email: text(320),
  currentPassword: text(1024).optional().describe("Required to change one's own address; not for an admin changing another"),
});

export const verifyEmailBody = z.strictObject({ token });

export const forgotPasswordBody = z.strictObject({
  username: text(320).describe('A username or a verified email address'),
});

export const resetPasswordBody = z.strictObject({ token, newPassword: text(1024) });

/** The one answer of POST /password/forgot, whatever happened. */
export const FORGOT_ANSWER = {
  status: 'accepted',
  message: 'If the account exists and has a verified email address, a message with a reset link is on its way.',
} as const;

export const forgotAnswer = z.object({ status: z.literal('accepted'), message: z.string() });
