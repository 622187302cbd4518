import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { createDb } from '../../../src/adapters/persistence/db.js';
import { skipped } from '../../support/hooks.js';
import { mySqlOrSkip, type TestMySql } from '../../support/test-database.js';

describe('DATABASE_URL with ?socketPath= on MySQL', function () {
  let server: TestMySql | undefined, socket: string;
  before(async function () {
    server = await mySqlOrSkip(this, 'a MySQL server to connect to');
    const tcp = createDb({ kind: 'mysql', url: server.url });
    try {
      const [[row]] = (await tcp.raw('SELECT @@socket AS socket')) as unknown as [[{ socket: string | null }]];
      socket = row.socket ?? '';
    } finally {
      await tcp.destroy();
    }
    // A server in a container publishes only its TCP port: its socket is not on this host.
    if (!existsSync(socket)) {
      skipped.push(`${this.test?.parent?.fullTitle() ?? 'socketPath'} (the server's socket ${socket} is not on this host)`);
      this.skip();
    }
  });
  after(async () => {
    await server?.dispose();
  });

  it('connects through the Unix socket, whatever host and port say', async () => {
    const url = new URL(server!.url);
    url.hostname = 'localhost';
    url.port = '1'; // nothing listens there: only the socket can answer
    url.searchParams.set('socketPath', socket);
    const db = createDb({ kind: 'mysql', url: url.toString() });
    try {
      const [[row]] = (await db.raw('SELECT DATABASE() AS name, CONNECTION_ID() AS id')) as unknown as [[{ name: string; id: number }]];
      expect(row.name).to.equal(decodeURIComponent(new URL(server!.url).pathname.slice(1)));
      // The server sees this connection as a local socket one: no TCP host or port.
      const [[peer]] = (await db.raw('SELECT HOST AS host FROM information_schema.PROCESSLIST WHERE ID = ?', [row.id])) as unknown as [
        [{ host: string }],
      ];
      expect(peer.host).to.equal('localhost');
    } finally {
      await db.destroy();
    }
  });
});
