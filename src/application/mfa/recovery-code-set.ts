import type { RecoveryCodes, RecoveryCodeStore } from './ports.js';

/** Makes a new set of recovery codes, voiding the old ones, and returns them as shown once to the user. */
export async function replaceRecoveryCodes(codes: RecoveryCodes, store: RecoveryCodeStore, userId: string): Promise<string[]> {
  const fresh = codes.generate();
  await store.replace(
    userId,
    fresh.map((code) => codes.hash(code)!),
  );
  return fresh;
}
