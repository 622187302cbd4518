/**
 * The public contract of the `user-events` topic lives in its own package (contract/, `@authsvc/user-events`),
 * which consumers install; the service uses the same source. The checks below fail the build when a domain event
 * and its published schema disagree.
 */
import type { DomainEvent, SESSION_END_REASONS as DOMAIN_SESSION_END_REASONS } from '../../domain/events.js';
import type { SESSION_END_REASONS, UserEventData, UserEventType } from '../../../contract/src/index.js';

export * from '../../../contract/src/index.js';

// Compile-time guard: every domain event type is in the contract with a payload of the same shape.
type Assert<T extends true> = T;
export type DomainEventsMatchContract = Assert<
  DomainEvent extends infer E
    ? E extends { type: infer T extends UserEventType; payload: infer P }
      ? P extends UserEventData<T>
        ? true
        : false
      : false
    : false
>;

// The contract's copy of the session-end reasons is the domain's list, no more and no less.
type SameMembers<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type SessionEndReasonsMatch = Assert<SameMembers<(typeof SESSION_END_REASONS)[number], (typeof DOMAIN_SESSION_END_REASONS)[number]>>;
