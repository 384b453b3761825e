/**
 * How evenly connections spread over two worker processes on one port: node:cluster's round-robin (the primary
 * accepts and hands sockets out; what edgeway's workers use) against SO_REUSEPORT (each worker binds its own socket,
 * the kernel hashes each connection's 4-tuple). Opens C connections from one client, keeps them open, and asks each
 * worker how many it got; then the same with the connections opened in bursts. Bounded, loopback only.
 *
 * Usage: node perf/tools/connection-spread.ts [--connections N] [--workers N]
 */
import cluster from 'node:cluster';
import { fork, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const ROLE = process.env.SPREAD_ROLE;

if (ROLE === 'worker') {
  // One server; counts its connections and answers the parent's "count?".
  let count = 0;
  const server = createServer((s) => {
    count++;
    s.on('error', () => undefined);
  });
  const port = Number(process.env.SPREAD_PORT);
  server.listen({ port, host: '127.0.0.1', reusePort: process.env.SPREAD_MODE === 'reuseport' }, () => process.send?.({ listening: true }));
  process.on('message', (m: { count?: boolean; reset?: boolean }) => {
    if (m.reset === true) count = 0;
    if (m.count === true) process.send?.({ count });
  });
  process.on('disconnect', () => process.exit(0));
} else {
  const { values } = parseArgs({ options: { connections: { type: 'string', default: '400' }, workers: { type: 'string', default: '2' } } });
  const connections = Number(values.connections);
  const workers = Number(values.workers);
  const port = await freePort();

  const ask = (w: ChildProcess | import('node:cluster').Worker, m: object): Promise<number> =>
    new Promise((resolve) => {
      const on = (r: { count?: number }): void => {
        if (r.count === undefined) return;
        w.off('message', on);
        resolve(r.count);
      };
      w.on('message', on);
      w.send(m);
    });

  async function measure(mode: 'cluster' | 'reuseport'): Promise<void> {
    const env = { ...process.env, SPREAD_ROLE: 'worker', SPREAD_PORT: String(port), SPREAD_MODE: mode };
    let children: (ChildProcess | import('node:cluster').Worker)[];
    if (mode === 'cluster') {
      cluster.setupPrimary({ exec: new URL(import.meta.url).pathname });
      children = Array.from({ length: workers }, () => cluster.fork(env));
    } else {
      children = Array.from({ length: workers }, () => fork(new URL(import.meta.url).pathname, [], { env }));
    }
    await Promise.all(children.map((c) => new Promise<void>((resolve) => c.once('message', () => resolve()))));
    for (const [label, burst] of [
      ['one at a time', 1],
      ['bursts of 50', 50],
    ] as const) {
      for (const c of children) c.send({ reset: true });
      const sockets: Socket[] = [];
      for (let i = 0; i < connections; i += burst) {
        await Promise.all(
          Array.from({ length: Math.min(burst, connections - i) }, () => new Promise<void>((resolve) => sockets.push(connect(port, '127.0.0.1', resolve)))),
        );
      }
      // Every accepted connection is counted once the workers have seen them all.
      const deadline = Date.now() + 5000;
      let counts: number[] = [];
      do counts = await Promise.all(children.map((c) => ask(c, { count: true })));
      while (counts.reduce((a, b) => a + b, 0) < connections && Date.now() < deadline);
      console.log(
        `${mode.padEnd(9)} ${label.padEnd(14)} per worker: ${counts.join(' / ')}  (max/mean ${((Math.max(...counts) * workers) / connections).toFixed(2)})`,
      );
      for (const s of sockets) s.destroy();
    }
    for (const c of children) c.kill();
    await Promise.all(children.map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve()))));
  }

  await measure('cluster');
  await measure('reuseport');
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}
