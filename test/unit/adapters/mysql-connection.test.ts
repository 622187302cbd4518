import { expect } from 'chai';
import { mysqlConnection } from '../../../src/adapters/persistence/db.js';

describe('mysqlConnection: DATABASE_URL to mysql2 options', () => {
  it('reads host, port, user, password and database, decoded', () => {
    expect(mysqlConnection('mysql://app:p%40ss@db.internal:3307/authsvc')).to.include({
      host: 'db.internal',
      port: 3307,
      user: 'app',
      password: 'p@ss',
      database: 'authsvc',
    });
    expect(mysqlConnection('mysql://app@db.internal/authsvc')).to.not.have.property('socketPath');
  });

  it('takes ?socketPath= for a server on the same host, reached through its Unix socket', () => {
    expect(mysqlConnection('mysql://app@localhost/authsvc?socketPath=/run/mysqld/mysqld.sock')).to.include({
      socketPath: '/run/mysqld/mysqld.sock',
      database: 'authsvc',
    });
  });
});
