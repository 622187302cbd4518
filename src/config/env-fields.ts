import { z } from 'zod';
import { parseLimits } from '../adapters/throttling/limits.js';

// The shapes environment variables share, whichever concern reads them.

export const bool = z.enum(['true', 'false', '1', '0'], 'must be true or false').transform((v) => v === 'true' || v === '1');

export const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().min(min).max(max));

/** Throttle limits: `points/seconds` pairs such as `5/60,100/3600`. */
export const limits = z.string().transform((v, ctx) => {
  try {
    return parseLimits(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `must be points/seconds pairs like 5/60,100/3600 (${(err as Error).message})` });
    return z.NEVER;
  }
});
