/**
 * `edgeway demo`: `serve` plus a whoami backend for every loopback endpoint the configuration routes to, so
 * `npm start` answers the README's curl lines on a machine with nothing else running.
 */
import type { Server } from 'node:http';
import { startWhoami } from './whoami.ts';
import { runServe } from './serve.ts';

export function runDemo(argv: readonly string[]): Promise<number> {
  return runServe(argv, async (edgeway) => {
    const servers: Server[] = [];
    // edgeway's own listeners are endpoints too (the built-in kubernetes and kube-dns Services): no whoami there.
    const settings = edgeway.snapshot.settings;
    const started = new Set<string>([`${settings.admin.host}:${edgeway.adminPort}`]);
    if (settings.dns.address !== null) started.add(`${settings.dns.address.host}:${edgeway.dnsPort}`);
    for (const backend of edgeway.snapshot.backends.values()) {
      if (backend.resolution.kind !== 'endpoints') continue;
      for (const e of backend.resolution.endpoints) {
        const key = `${e.address}:${e.port}`;
        if (!e.address.startsWith('127.') || started.has(key)) continue;
        started.add(key);
        const name = e.targetRef?.split('/').pop() ?? `${backend.service}@${key}`;
        try {
          servers.push(await startWhoami({ host: e.address, port: e.port, name }));
          process.stderr.write(`demo: whoami ${name} on ${key} (${backend.service})\n`);
        } catch (err) {
          process.stderr.write(`demo: cannot start whoami on ${key}: ${(err as Error).message}\n`);
        }
      }
    }
    return async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    };
  });
}
