import bcrypt from 'bcrypt';

/**
 * The bcrypt ceiling: bcrypt.compare calls per second at a cost, with as many compares in flight as libuv's
 * thread pool has threads (UV_THREADPOOL_SIZE, 4 by default), for a duration. Usage: bcrypt-ceiling <cost> <ms>.
 * Prints one JSON line.
 */
const cost = Number(process.argv[2] ?? 10);
const durationMs = Number(process.argv[3] ?? 10_000);
const concurrency = Number(process.env.UV_THREADPOOL_SIZE || 4);
const password = 'bench password 0123456789';

const hash = await bcrypt.hash(password, cost);
await bcrypt.compare(password, hash);

let compares = 0;
const t0 = performance.now();
const end = t0 + durationMs;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      if (!(await bcrypt.compare(password, hash))) throw new Error('bcrypt.compare did not match');
      compares += 1;
    }
  }),
);
const elapsedMs = performance.now() - t0;
console.log(JSON.stringify({ cost, concurrency, compares, elapsedMs: Math.round(elapsedMs), perSecond: compares / (elapsedMs / 1000) }));
