// Preloaded with `node --import`: when the process exits, writes every module it loaded to RECORD_LOADED_MODULES,
// one per line: the ES modules (as the loader's hook saw them) and the CommonJS ones (from require's cache).
import { writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const urls = [];
port1.on('message', (url) => urls.push(url));
port1.unref();
const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) { port.postMessage(url); return next(url, context); }
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });

process.once('exit', () => {
  const files = [...urls.map((url) => url.replace(/^file:\/\//, '')), ...Object.keys(createRequire(import.meta.url).cache)];
  writeFileSync(process.env.RECORD_LOADED_MODULES, files.join('\n'));
});
