import { expect } from 'chai';
import { ValidationFailed } from '../../../src/domain/errors.js';
import { parseRole } from '../../../src/domain/role.js';

describe('parseRole', () => {
  it('accepts user and admin', () => {
    expect(parseRole('user')).to.equal('user');
    expect(parseRole('admin')).to.equal('admin');
  });

  it('refuses anything else, exactly as written, naming the field', () => {
    for (const raw of ['Admin', 'ADMIN', ' admin', 'root', '']) {
      let err: unknown;
      try {
        parseRole(raw, 'newRole');
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(raw)).to.be.instanceOf(ValidationFailed);
      expect((err as ValidationFailed).field).to.equal('newRole');
    }
  });

  it('names the field role by default', () => {
    expect(() => parseRole('root'))
      .to.throw(ValidationFailed)
      .with.property('field', 'role');
  });
});
