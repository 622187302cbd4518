import { expect } from 'chai';
import { openApiDocument, operationIdOf } from '../../../src/adapters/http/openapi.js';

const doc = openApiDocument('0.0.0') as { paths: Record<string, Record<string, { operationId?: string }>> };

describe('the OpenAPI document names every operation', () => {
  const all = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method, path, op })));

  it('gives every operation an operationId that is an identifier, and no two the same', () => {
    expect(all.length).to.be.greaterThan(30);
    const ids = all.map(({ method, path, op }) => {
      expect(op.operationId, `${method} ${path}`).to.match(/^[a-z][A-Za-z0-9]*$/);
      return op.operationId!;
    });
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('makes them from the method and path, so they stay the same from release to release', () => {
    expect(doc.paths['/users/{id}/password']!.put!.operationId).to.equal('putUsersByIdPassword');
    expect(doc.paths['/users/me/password']!.put!.operationId).to.equal('putUsersMePassword');
    expect(doc.paths['/.well-known/jwks.json']!.get!.operationId).to.equal('getWellKnownJwksJson');
    expect(operationIdOf({ method: 'get', path: '/users', operationId: 'listUsers' })).to.equal('listUsers');
  });
});
