import type { Server } from 'node:http';

/**
 * Runs every closing step of an after-hook in order, each even when an earlier one failed, then throws the first
 * failure: a browser that would not close must not leave the server, the mail server or the database open.
 */
export async function closeAll(steps: (() => unknown)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/** Closes a node HTTP server, dropping the connections still open (a browser's keep-alive ones) rather than waiting for them. */
export function closeServer(server: Server | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (!server?.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
