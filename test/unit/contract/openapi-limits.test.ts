import { expect } from 'chai';
import { openApiDocument } from '../../../src/adapters/http/openapi.js';
import { MAX_ISSUES } from '../../../src/adapters/http/problem-details.js';

type Operation = { parameters?: Array<{ name: string; in: string; schema: Record<string, unknown> }>; responses: Record<string, unknown> };
const doc = openApiDocument('0.0.0') as {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: { Problem: { content: Record<string, { schema: { properties: { errors: Record<string, unknown> } } }> } } };
};

describe('the OpenAPI document says what the service does', () => {
  it('gives every {id} a lower-case UUID format and length', () => {
    const withId = Object.entries(doc.paths).filter(([path]) => path.includes('{id}'));
    expect(withId).to.have.length.greaterThan(0);
    for (const [path, methods] of withId) {
      for (const [method, op] of Object.entries(methods)) {
        const id = op.parameters?.find((p) => p.name === 'id' && p.in === 'path');
        expect(id, `${method} ${path}`).to.not.equal(undefined);
        expect(id!.schema).to.deep.include({ type: 'string', format: 'uuid', minLength: 36, maxLength: 36 });
        const pattern = new RegExp(String(id!.schema.pattern));
        expect(pattern.test('0190f5a8-7c1e-7b2a-9d3e-1f2a3b4c5d6e')).to.equal(true);
        expect(pattern.test('0190F5A8-7C1E-7B2A-9D3E-1F2A3B4C5D6E')).to.equal(false);
        expect(op.responses).to.have.property('404');
      }
    }
  });

  it('documents 429 on POST /users (the registration throttle)', () => {
    expect(doc.paths['/users']!.post!.responses).to.have.property('429');
  });

  it(`caps a problem's errors at ${MAX_ISSUES}`, () => {
    const errors = doc.components.responses.Problem.content['application/problem+json']!.schema.properties.errors;
    expect(errors.maxItems).to.equal(MAX_ISSUES);
  });
});
