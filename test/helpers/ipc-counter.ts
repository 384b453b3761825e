/**
 * Loaded into edgeway's workers with `NODE_OPTIONS=--import` (the primary's environment reaches its workers): counts
 * every IPC message a worker sends and receives — edgeway's own and node:cluster's internal ones (a connection handed
 * over, its acknowledgement) — by type. On SIGUSR2 a worker writes its counts to `$EDGEWAY_IPC_COUNTS/<pid>-<n>.json`,
 * n counting from 1, so a test can compare counts before and after some traffic. Does nothing in the primary.
 */
import cluster from 'node:cluster';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.EDGEWAY_IPC_COUNTS;

if (cluster.isWorker && dir !== undefined && process.send !== undefined) {
  const counts: Record<string, number> = {};
  const count = (direction: string, message: unknown): void => {
    const m = (message ?? {}) as { type?: unknown; cmd?: unknown; act?: unknown };
    const key = `${direction} ${String(m.type ?? m.act ?? m.cmd ?? typeof message)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  };
  const send = process.send.bind(process);
  process.send = ((message: unknown, ...rest: unknown[]) => {
    count('sent', message);
    return (send as (...args: unknown[]) => boolean)(message, ...rest);
  }) as typeof process.send;
  process.on('message', (m) => count('received', m));
  // node:cluster's own messages (connections handed to this worker) arrive as 'internalMessage'.
  process.on('internalMessage' as 'message', (m) => count('received', m));
  let written = 0;
  process.on('SIGUSR2', () => {
    written++;
    writeFileSync(join(dir, `${process.pid}-${written}.json`), JSON.stringify(counts));
  });
}
