import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { User } from './api.js';

export interface Auth {
  /** undefined while the first look-up runs, null when signed out. */
  user: User | null | undefined;
  /** Re-reads the signed-in account (after a sign-in or a change to it). */
  refresh: () => Promise<User | null>;
  /** Forgets the account and goes to the sign-in page, with a notice for it. */
  signedOut: (notice?: string) => void;
  /** A one-off message for the next page (e.g. "Your session has ended"). */
  notice: string | undefined;
  clearNotice: () => void;
}

export const AuthContext = createContext<Auth>({
  user: undefined,
  refresh: async () => null,
  signedOut: () => {},
  notice: undefined,
  clearNotice: () => {},
});

export const useAuth = (): Auth => useContext(AuthContext);
