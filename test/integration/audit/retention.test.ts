import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import { PurgeAuditTrail } from '../../../src/application/audit/purge-audit-trail.js';
import { auditRows, onEachDatabase } from './helpers.js';

const DAY = 86_400_000;

onEachDatabase(
  'audit retention (AUDIT_RETENTION_DAYS=30)',
  (suite) => {
    it('deletes the entries older than the retention in batches, and only those', async () => {
      const row = (daysAgo: number) => ({
        id: uuidv7(),
        at: new Date(Date.now() - daysAgo * DAY),
        type: 'login',
        outcome: 'success',
        actor: 'anonymous',
        subjectId: null,
        client: null,
        userAgent: null,
        requestId: null,
        details: '{}',
      });
      const old = Array.from({ length: 2300 }, (_, i) => row(31 + (i % 100)));
      for (let i = 0; i < old.length; i += 500) await suite.db('audit').insert(old.slice(i, i + 500));
      const kept = [row(29), row(0)];
      await suite.db('audit').insert(kept);
      const { deleted, more } = await suite.container.get(PurgeAuditTrail).execute();
      expect([deleted, more]).to.deep.equal([2300, false]);
      expect((await auditRows(suite.db)).map((r) => r.id).sort()).to.deep.equal(kept.map((r) => r.id).sort());
    });
  },
  { AUDIT_RETENTION_DAYS: '30' },
);
