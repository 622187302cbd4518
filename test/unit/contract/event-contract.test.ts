import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import { toCloudEvent } from '../../../src/adapters/messaging/cloud-events.js';
import { USER_EVENT_TYPES } from '../../../src/adapters/messaging/event-contract.js';
import {
  emailChanged,
  emailVerified,
  loggedIn,
  mfaDisabled,
  mfaEnabled,
  passwordChanged,
  roleChanged,
  sessionsEnded,
  userCreated,
  userDeleted,
  userDisabled,
  userEnabled,
  type DomainEvent,
} from '../../../src/domain/events.js';
import { contractFiles, jsonSchema, schemaFile, ASYNCAPI_FILE } from '../../../scripts/contract.js';
import { aUser } from '../../builders.js';

const stamp = (n: number) => ({ id: `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`, at: new Date('2026-01-02T03:04:05.678Z') });
const admin = '01900000-0000-7000-8000-0000000000aa';

/** One domain event of every type, through the same mapping the relay uses. */
function sampleEvents(): DomainEvent[] {
  const user = aUser({ id: '01900000-0000-7000-8000-0000000000bb', email: 'ada@example.com' });
  return [
    userCreated(user, null, stamp(1)),
    userCreated(aUser({ id: '01900000-0000-7000-8000-0000000000bc' }), null, stamp(1)),
    passwordChanged(user, user.id, stamp(2)),
    passwordChanged(user, user.id, stamp(2), 'reset'),
    emailChanged(user, 'old@example.com', user.id, stamp(6)),
    emailChanged(user, null, admin, stamp(6)),
    emailVerified(user, stamp(7)),
    sessionsEnded(user.id, ['5f0c7f43-3c8e-4a55-9d0e-2b8e3c1f7a11'], 'password-reset', user.id, stamp(8)),
    roleChanged(user, 'user', admin, stamp(3)),
    userDeleted(user, admin, stamp(4)),
    loggedIn(user, stamp(5)),
    userDisabled(user, 'left the company', admin, stamp(6)),
    userEnabled(user, null, admin, stamp(7)),
    mfaEnabled(user.id, 'totp', stamp(8)),
    mfaDisabled(user.id, 'webauthn', stamp(9)),
    sessionsEnded(user.id, ['5f0c7f43-3c8e-4a55-9d0e-2b8e3c1f7a10'], 'password-changed', admin, stamp(10)),
  ];
}

describe('the user-events contract documents', () => {
  it('are up to date with the definitions (run `npm run contract` after changing them)', () => {
    for (const [file, text] of Object.entries(contractFiles())) {
      expect(readFileSync(file, 'utf8'), file).to.equal(text);
    }
  });

  it('cover every event type the domain emits', () => {
    expect([...new Set(sampleEvents().map((e) => e.type))]).to.have.members(USER_EVENT_TYPES);
  });

  it('accept the CloudEvent the relay builds for each event type, and reject a wrong one', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    for (const event of sampleEvents()) {
      const record = {
        seq: 1,
        id: event.id,
        aggregateType: 'user',
        aggregateId: event.aggregateId,
        type: event.type,
        payload: JSON.stringify(event.payload),
        createdAt: event.occurredAt,
      };
      const schema = JSON.parse(readFileSync(schemaFile(event.type), 'utf8')) as { $id: string };
      const validate = ajv.getSchema(schema.$id) ?? ajv.compile(schema);
      const cloudEvent = toCloudEvent(record, '/authsvc');
      expect(validate(cloudEvent), `${event.type}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
      expect(validate({ ...cloudEvent, data: {} }), `${event.type} without data fields`).to.equal(false);
    }
  });

  it('include a valid AsyncAPI document whose payloads are the per-type schemas', async () => {
    const text = readFileSync(ASYNCAPI_FILE, 'utf8');
    const { document, diagnostics } = await new Parser().parse(text);
    const errors = diagnostics.filter((d) => Number(d.severity) === 0); // 0: an error, not a warning or hint
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).to.deep.equal([]);
    expect(document).to.not.equal(undefined);
    const messages = document!.allMessages().all();
    expect(messages.map((m) => m.name())).to.have.members(USER_EVENT_TYPES);
    for (const message of messages) {
      const type = message.name() as (typeof USER_EVENT_TYPES)[number];
      const { $id: _id, title: _title, ...expected } = jsonSchema(type);
      // The parser's schema type is a union with `false`; a message payload is always an object here.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
      const payload = message.payload()?.json() as { schema?: { properties?: unknown } } | undefined;
      // The parser annotates every schema with an x-parser-schema-id; leave those out of the comparison.
      const parsed = JSON.parse(JSON.stringify(payload?.schema?.properties), (k, v) => (k.startsWith('x-parser-') ? undefined : v));
      expect(parsed, type).to.deep.equal(expected.properties);
    }
    expect(
      document!
        .channels()
        .all()
        .map((c) => c.address()),
    ).to.deep.equal(['user-events']);
  });
});

describe('the contract package (contract/package.json)', () => {
  const pkg = JSON.parse(readFileSync('contract/package.json', 'utf8')) as {
    exports: Record<string, string | Record<string, string>>;
    dependencies: Record<string, string>;
    files: string[];
  };

  it('exports the compiled contract module and the generated documents, and needs nothing but zod', () => {
    const main = pkg.exports['.'] as Record<string, string>;
    expect(main).to.deep.equal({ types: './dist/index.d.ts', default: './dist/index.js' });
    for (const type of USER_EVENT_TYPES) {
      const target = (pkg.exports['./schemas/*'] as string).replace('*', `${type}.json`).replace(/^\.\//, 'contract/');
      expect(target).to.equal(schemaFile(type));
    }
    expect((pkg.exports['./asyncapi.yaml'] as string).replace(/^\.\//, 'contract/')).to.equal(ASYNCAPI_FILE);
    expect(Object.keys(pkg.dependencies)).to.deep.equal(['zod']);
    expect(pkg.files).to.include.members(['dist', 'schemas', 'asyncapi.yaml']);
  });
});
