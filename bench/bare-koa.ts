import type { AddressInfo } from 'node:net';
import Koa from 'koa';

/** The floor for the read benchmark: Koa answering {ok:true}, nothing else. Prints {"port":N} when listening. */
const app = new Koa();
app.use((ctx) => {
  ctx.body = { ok: true };
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
