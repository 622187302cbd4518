import { dictionary } from '@zxcvbn-ts/language-common';
import type { CommonPasswords } from '../../application/ports.js';

/**
 * The 49,000 most common passwords of zxcvbn-ts's common dictionary (@zxcvbn-ts/language-common,
 * `passwords-common`, built from leaked-password frequency lists), compared ignoring case.
 */
export class ZxcvbnCommonPasswords implements CommonPasswords {
  private readonly list: ReadonlySet<string> = new Set(
    (dictionary as Record<string, string[]>)['passwords-common']!.map((p) => p.toLowerCase()),
  );

  get size(): number {
    return this.list.size;
  }

  includes(password: string): boolean {
    return this.list.has(password.toLowerCase());
  }
}
