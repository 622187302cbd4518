/**
 * The public contract of authsvc's `user-events` Kafka topic: CloudEvents 1.0 in structured JSON mode, one schema
 * per event type, as zod schemas and TypeScript types. The JSON Schemas and the AsyncAPI document beside this
 * package's `dist/` are generated from these definitions. Its only dependency is zod.
 */
import { z } from 'zod';

/** Why sessions ended (`user.sessions_ended`): the service's list, checked against it when the service builds. */
export const SESSION_END_REASONS = [
  'logout',
  'login-replaced',
  'ended-by-user',
  'ended-by-admin',
  'password-changed',
  'user-deleted',
  'account-disabled',
  'password-reset',
] as const;

const userId = z.string().uuid().describe('The user the event is about (UUIDv7)');
const actorId = z.string().uuid().describe('The user who made the change; the nil UUID for an operator at the command line');
const role = z.enum(['user', 'admin']);
const PERSONAL = 'Personal data (GDPR): store it only where needed, and erase it with the account (user.deleted).';
const email = z.string().email().describe(`An email address, trimmed and lower case. ${PERSONAL}`);

export const eventData = {
  'user.created': z.object({
    userId,
    username: z.string().describe('Lower-case username'),
    role,
    createdBy: actorId
      .nullable()
      .describe('The admin who created the account (the nil UUID for the command line); null for self-registration and the start-up admin'),
    // The default publishes events written before the field existed (still in the outbox at the upgrade) as null.
    email: email.nullable().default(null).describe(`The address given at registration, not yet verified; null when none. ${PERSONAL}`),
  }),
  'user.password_changed': z.object({
    userId,
    changedBy: actorId,
    reason: z
      .enum(['change', 'reset'])
      .default('change') // events written before the field existed were all changes
      .describe('change: by the user or an admin; reset: through a password-reset link (changedBy is the user)'),
  }),
  'user.email_changed': z.object({
    userId,
    email: email.describe(`The new address, not yet verified. ${PERSONAL}`),
    previousEmail: email.nullable().describe(`The address before, null when there was none. ${PERSONAL}`),
    changedBy: actorId,
  }),
  'user.email_verified': z.object({ userId, email: email.describe(`The address now verified. ${PERSONAL}`) }),
  'user.role_changed': z.object({ userId, from: role, to: role, changedBy: actorId }),
  'user.deleted': z.object({ userId, username: z.string(), deletedBy: actorId }),
  'user.logged_in': z.object({ userId }),
  'user.disabled': z.object({
    userId,
    reason: z.string().max(256).nullable().describe('Why the admin disabled the account, as written; null when none was given'),
    disabledBy: actorId,
  }),
  'user.enabled': z.object({
    userId,
    reason: z.string().max(256).nullable().describe('Why the admin enabled the account again; null when none was given'),
    enabledBy: actorId,
  }),
  'user.mfa_enabled': z.object({ userId, method: z.enum(['totp', 'webauthn']).describe('totp: one-time codes; webauthn: passkeys') }),
  'user.mfa_disabled': z.object({ userId, method: z.enum(['totp', 'webauthn']).describe('totp: one-time codes; webauthn: passkeys') }),
  'user.sessions_ended': z.object({
    userId,
    sessionIds: z
      .array(z.string().uuid())
      .min(1)
      .describe('Public ids of the sessions ended (the `sid` claim of access tokens issued from them)'),
    reason: z.enum(SESSION_END_REASONS).describe('Why they ended'),
    endedBy: actorId,
  }),
} as const;

export type UserEventType = keyof typeof eventData;
export const USER_EVENT_TYPES = Object.keys(eventData) as UserEventType[];
export type UserEventData<T extends UserEventType> = z.infer<(typeof eventData)[T]>;

function envelope<T extends UserEventType>(type: T) {
  return z.object({
    specversion: z.literal('1.0'),
    id: z.string().uuid().describe('Event id: the same on every delivery of this event'),
    source: z.string().min(1).describe('The producing service, a URI reference'),
    type: z.literal(type),
    subject: userId,
    time: z.iso.datetime().describe('When the change was committed (UTC)'),
    datacontenttype: z.literal('application/json'),
    data: eventData[type],
  });
}

// Built once: a schema is costly to build and cheap to reuse (the relay checks every event it sends).
const envelopes = Object.fromEntries(USER_EVENT_TYPES.map((type) => [type, envelope(type)])) as {
  [T in UserEventType]: ReturnType<typeof envelope<T>>;
};

/** The envelope of every message; `id` is stable across redeliveries, so consumers drop duplicates by it. */
export function cloudEventSchema<T extends UserEventType>(type: T): ReturnType<typeof envelope<T>> {
  return envelopes[type];
}

export type UserEvent = { [T in UserEventType]: z.infer<ReturnType<typeof cloudEventSchema<T>>> }[UserEventType];

/** The Kafka record: key = user id (one user's events share a partition, so keep their order). */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/**
 * Checks a message value (the parsed JSON of a Kafka record) against the contract of its `type`, and returns it
 * typed. Fields added by later versions of the service are dropped, so an older consumer keeps working.
 * @throws Error for a type this version of the contract does not know, z.ZodError for a message that breaks it
 */
export function parseUserEvent(value: unknown): UserEvent {
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !(USER_EVENT_TYPES as string[]).includes(type)) {
    throw new Error(`Not a user event this contract knows: type ${JSON.stringify(type)}`);
  }
  return cloudEventSchema(type as UserEventType).parse(value) as UserEvent;
}
