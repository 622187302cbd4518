import type { EmailAddress } from './email-address.js';
import type { Role } from './role.js';
import type { AccountStatus } from './account-status.js';
import type { Username } from './username.js';

export interface UserSnapshot {
  id: string;
  username: Username;
  role: Role;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
  status: AccountStatus;
  /** Why the account was disabled, as the admin wrote it; null while active. */
  statusReason: string | null;
  email: EmailAddress | null;
  /** Whether the owner proved they read `email`; only a verified address logs in and receives resets. */
  emailVerified: boolean;
}

export class User {
  private constructor(private readonly state: UserSnapshot) {}

  static register(input: {
    id: string;
    username: Username;
    role: Role;
    passwordHash: string;
    now: Date;
    email?: EmailAddress | null;
  }): User {
    const { id, username, role, passwordHash, now, email = null } = input;
    return new User({
      id,
      username,
      role,
      passwordHash,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: null,
      status: 'active',
      statusReason: null,
      email,
      emailVerified: false,
    });
  }

  /** Storage already enforced the invariants. */
  static restore(snapshot: UserSnapshot): User {
    return new User({ ...snapshot });
  }

  get id(): string {
    return this.state.id;
  }
  get username(): Username {
    return this.state.username;
  }
  get role(): Role {
    return this.state.role;
  }
  get passwordHash(): string {
    return this.state.passwordHash;
  }
  get email(): EmailAddress | null {
    return this.state.email;
  }
  get emailVerified(): boolean {
    return this.state.emailVerified;
  }
  /** The address mail about the account may go to: only one its owner proved to read. */
  get verifiedEmail(): EmailAddress | null {
    return this.state.emailVerified ? this.state.email : null;
  }
  get isAdmin(): boolean {
    return this.state.role === 'admin';
  }
  get status(): AccountStatus {
    return this.state.status;
  }
  get isActive(): boolean {
    return this.state.status === 'active';
  }

  changePassword(passwordHash: string, now: Date): void {
    this.state.passwordHash = passwordHash;
    this.state.updatedAt = now;
  }

  /** Same password, stronger hash: not a password change (no event, sessions kept, updatedAt unchanged). */
  upgradePasswordHash(passwordHash: string): void {
    this.state.passwordHash = passwordHash;
  }

  changeRole(role: Role, now: Date): void {
    this.state.role = role;
    this.state.updatedAt = now;
  }

  changeStatus(status: AccountStatus, reason: string | null, now: Date): void {
    this.state.status = status;
    this.state.statusReason = status === 'disabled' ? reason : null;
    this.state.updatedAt = now;
  }

  /** A new address is unverified until its owner follows the link sent to it. */
  changeEmail(email: EmailAddress, now: Date): void {
    this.state.email = email;
    this.state.emailVerified = false;
    this.state.updatedAt = now;
  }

  /** Verifies `email` only if it is still the account's address: a proof for an old address proves nothing. */
  verifyEmail(email: EmailAddress, now: Date): boolean {
    if (this.state.email !== email) return false;
    this.state.emailVerified = true;
    this.state.updatedAt = now;
    return true;
  }

  recordLogin(now: Date): void {
    this.state.lastLoginAt = now;
  }

  toSnapshot(): UserSnapshot {
    return { ...this.state };
  }
}
