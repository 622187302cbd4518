import { expect } from 'chai';
import type { Knex } from 'knex';
import request from 'supertest';
import { migratedMySql, type TestMySql } from '../support/test-database.js';
import { testApp } from '../support/test-app.js';

describe('smoke on MySQL', function () {
  let db: Knex, mysql: TestMySql;
  before(async function () {
    ({ db, mysql } = await migratedMySql(this));
  });
  after(async () => {
    await db?.destroy();
    await mysql?.dispose();
  });

  it('registers, logs in and reads itself', async () => {
    const { app } = testApp(db);
    const agent = request.agent(app.callback());
    await agent.post('/users').send({ username: 'ada', password: 'correct horse' }).expect(201);
    await agent.post('/login').send({ username: 'ADA', password: 'correct horse' }).expect(200);
    const me = await agent.get('/users/me').expect(200);
    expect(me.body.username).to.equal('ada');
    const rows = await db('outbox').orderBy('seq');
    expect(rows.map((r) => r.type)).to.deep.equal(['user.created', 'user.logged_in']);
  });
});
