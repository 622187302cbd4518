/**
 * The documents of the `user-events` contract, generated from the zod definitions in
 * contract/src/index.ts so they cannot drift: a JSON Schema per event type and an AsyncAPI 3.0
 * document. `npm run contract` writes them to contract/; a test fails when the files are stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { cloudEventSchema, USER_EVENT_TYPES, type UserEventType } from '../contract/src/index.js';

export const CONTRACT_DIR = 'contract';
export const schemaFile = (type: UserEventType) => join(CONTRACT_DIR, 'schemas', `${type}.json`);
export const ASYNCAPI_FILE = join(CONTRACT_DIR, 'asyncapi.yaml');

const SUMMARIES: Record<UserEventType, string> = {
  'user.created': 'An account was created (self-registration, by an admin, or the start-up admin).',
  'user.password_changed': "A user's password was changed: by the user, by an admin, or through a reset link (reason).",
  'user.email_changed': "A user's email address was set or changed (unverified until user.email_verified). Carries personal data.",
  'user.email_verified': 'A user proved to read their email address by following the link sent to it. Carries personal data.',
  'user.role_changed': "A user's role changed between user and admin.",
  'user.deleted': 'An account was deleted by an admin.',
  'user.disabled': 'An admin disabled an account: it keeps its data but cannot sign in, and its sessions ended.',
  'user.enabled': 'An admin enabled a disabled account again.',
  'user.logged_in': 'A user logged in successfully (with the second factor too, when the account has one).',
  'user.mfa_enabled': 'A second factor was switched on: one-time codes confirmed, or the first passkey registered.',
  'user.mfa_disabled': 'A second factor was switched off: one-time codes removed, or the last passkey deleted.',
  'user.sessions_ended':
    'Sessions of a user ended (logout, ended by the user or an admin, password change or reset, deletion), in the same transaction: ' +
    'drop whatever was derived from them, such as cached access tokens whose `sid` is listed, before they expire.',
};

/** JSON Schema (draft-07, as AsyncAPI 3.0 reads it) of the whole CloudEvent for one type. */
export function jsonSchema(type: UserEventType): Record<string, unknown> {
  return {
    $id: `urn:authsvc:events:${type}`,
    title: `${type} (CloudEvents 1.0, structured JSON)`,
    description: SUMMARIES[type],
    ...z.toJSONSchema(cloudEventSchema(type), { target: 'draft-7' }),
  };
}

const messageName = (type: UserEventType) => type.replace(/^user\./, 'user_').replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

export function asyncApiDocument(): Record<string, unknown> {
  const messages = Object.fromEntries(
    USER_EVENT_TYPES.map((type) => {
      const { $id: _id, title: _title, ...schema } = jsonSchema(type);
      return [
        messageName(type),
        {
          name: type,
          title: type,
          summary: SUMMARIES[type],
          contentType: 'application/cloudevents+json',
          headers: {
            type: 'object',
            properties: { 'content-type': { type: 'string', const: 'application/cloudevents+json' } },
          },
          payload: { schemaFormat: 'application/schema+json;version=draft-07', schema },
          bindings: { kafka: { key: { type: 'string', format: 'uuid', description: 'The user id (= subject)' } } },
        },
      ];
    }),
  );
  const refs = Object.keys(messages).map((name) => ({ $ref: `#/channels/userEvents/messages/${name}` }));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'authsvc user events',
      version: '1.0.0',
      description: [
        'What happened to user accounts, as CloudEvents 1.0 in structured JSON mode on one Kafka topic.',
        '',
        "- Key: the user id, so one user's events share a partition and arrive in the order they happened.",
        '- Delivery: at least once. After a relay crash an event can arrive again with the same `id`;',
        '  consumers drop repeats by `id` (see examples/user-events-consumer.ts).',
        '- Events never carry a password, a password hash, a session id or a token.',
        '- Personal data: `email` and `previousEmail` (user.created, user.email_changed, user.email_verified) are',
        '  email addresses, personal data under the GDPR: keep them only where needed and erase them when',
        '  user.deleted arrives.',
      ].join('\n'),
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      kafka: { host: 'kafka:9092', protocol: 'kafka', description: 'The brokers given to the service in KAFKA_BROKERS' },
    },
    channels: {
      userEvents: {
        address: 'user-events',
        description: 'The topic named by KAFKA_TOPIC (default user-events).',
        messages: Object.fromEntries(Object.keys(messages).map((name) => [name, { $ref: `#/components/messages/${name}` }])),
      },
    },
    operations: {
      publishUserEvents: {
        action: 'send',
        summary: 'The outbox relay publishes each committed change to a user.',
        channel: { $ref: '#/channels/userEvents' },
        messages: refs,
      },
    },
    components: { messages },
  };
}

export function contractFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const type of USER_EVENT_TYPES) files[schemaFile(type)] = `${JSON.stringify(jsonSchema(type), null, 2)}\n`;
  files[ASYNCAPI_FILE] =
    `# Generated by \`npm run contract\` from contract/src/index.ts: do not edit.\n${stringify(asyncApiDocument(), { lineWidth: 0 })}`;
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [file, text] of Object.entries(contractFiles())) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  }
}
