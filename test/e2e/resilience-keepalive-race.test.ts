/**
 * The keep-alive race: a backend closes an idle keep-alive connection at the moment edgeway reuses it. Requests are
 * paced around the backend's idle timeout from several lanes at once, so reuse keeps landing on the boundary.
 * Idempotent requests must never fail; a POST must never run twice (it may fail: edgeway cannot prove a written
 * POST did not run, so it does not resend it).
 */
import test from 'ava';
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { startEdgeway } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { rawBackend, type SeenRequest } from '../helpers/raw-backend.ts';
import { closeServer } from '../helpers/servers.ts';

const LANES = 20;

function config(port: number): string {
  // Load shedding off: the race is the subject, and a suite on two busy cores can stall the process past its limit.
  return docs(
    settings('overload: {maxEventLoopDelay: 0s}'),
    INGRESS_CLASS,
    serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port }]),
    ingress('web', [{ host: 'race.test', path: '/', service: 'svc' }]),
  );
}

interface Outcome {
  readonly ok: number;
  readonly failed: number;
  readonly statuses: Map<number, number>;
}

/** `total` requests over LANES sequential lanes, each pausing around `idleMs` (±5%) between its requests. */
async function paced(url: string, method: 'GET' | 'POST', total: number, idleMs: number): Promise<Outcome> {
  const client = new Pool(url, { connections: LANES });
  const statuses = new Map<number, number>();
  let ok = 0;
  let failed = 0;
  let next = 0;
  const lane = async (l: number): Promise<void> => {
    for (let _i = 0; ; _i++) {
      const n = next++;
      if (n >= total) return;
      // Deterministic spread over [0.95, 1.05] × idle: lanes drift over the boundary rather than sit on one side.
      const pause = idleMs * (0.95 + (((n * 7 + l * 13) % 31) / 30) * 0.1);
      await new Promise((r) => setTimeout(r, pause));
      try {
        const res = await client.request({
          path: `/r/${n}`,
          method,
          headers: { host: 'race.test', 'x-id': String(n) },
          body: method === 'POST' ? `post ${n}` : null,
        });
        await res.body.text();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode === 200) ok++;
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, l) => lane(l)));
  await client.close();
  return { ok, failed, statuses };
}

function executedTwice(requests: readonly SeenRequest[]): number {
  const seen = new Map<string, number>();
  for (const r of requests) {
    if (r.method !== 'POST') continue;
    const id = r.headers.find(([n]) => n.toLowerCase() === 'x-id')?.[1] ?? '';
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return [...seen.values()].filter((n) => n > 1).length;
}

test('1,000 GETs paced at a hint-less backend idle timeout: 0 client-visible errors; 1,000 POSTs: none runs twice', async (t) => {
  // Long enough that a process stalled by a busy machine rarely sits on a new connection past it (nothing proxies that).
  const idleMs = 100;
  const backend = await rawBackend(t, { idleMs });
  const gw = await startEdgeway(t, config(backend.port));
  const gets = await paced(gw.url, 'GET', 1000, idleMs);
  t.log(
    `GET: ${gets.ok} ok, ${gets.failed} failed (${[...gets.statuses].map(([s, n]) => `${s}×${n}`).join(', ')}); retries so far ${gw.edgeway.resilience.retries}`,
  );
  t.is(gets.failed, 0);
  t.is(gets.ok, 1000);
  const posts = await paced(gw.url, 'POST', 1000, idleMs);
  t.log(
    `POST: ${posts.ok} ok, ${posts.failed} failed (${[...posts.statuses].map(([s, n]) => `${s}×${n}`).join(', ')}); retries ${gw.edgeway.resilience.retries}`,
  );
  t.is(executedTwice(backend.requests), 0, 'no POST reached the backend twice');
  t.is(posts.ok + posts.failed, 1000);
});

test('a Node backend with keepAliveTimeout 200 ms: its Keep-Alive hint is honoured, GETs and POSTs all succeed once', async (t) => {
  const seen = new Map<string, number>();
  const server = createServer({ keepAliveTimeout: 200 }, (req, res) => {
    if (req.method === 'POST') seen.set(String(req.headers['x-id']), (seen.get(String(req.headers['x-id'])) ?? 0) + 1);
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => closeServer(server));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const gw = await startEdgeway(t, config(port));
  const gets = await paced(gw.url, 'GET', 100, 200);
  const posts = await paced(gw.url, 'POST', 100, 200);
  t.is(gets.failed, 0);
  t.is(posts.failed, 0);
  t.is([...seen.values()].filter((n) => n > 1).length, 0);
  t.is(seen.size, 100);
});
