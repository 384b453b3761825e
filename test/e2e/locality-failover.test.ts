/**
 * Locality failover across three clusters in two regions, with real backends on different loopback addresses:
 * edgeway in zone a1 of region r1; cluster a (a1, r1), b (b1, r1), c (c1, r2), each with the same Service and two
 * backends. Killing zone a1's backends moves traffic to b1 (same region), killing b1's moves it to c1 (the other
 * region), and bringing a1's back returns it there — with no failed GET at any point: active checks detect the
 * deaths, passive ejection and a retry on another endpoint cover the requests that race them.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { httpGet } from '../helpers/http.ts';
import { docs, ingress, INGRESS_CLASS, settings } from '../helpers/manifests.ts';
import { startEdgeway, tempDir } from '../helpers/edgeway.ts';
import { backend, service, type Backend } from '../fixtures/resilience-fixtures.ts';

const HEALTH = { 'edgeway.io/health-check-path': '/healthz', 'edgeway.io/health-check-interval': '100ms' };

test('three clusters, two regions: zone → region → elsewhere → back, with 0 failed requests', async (t) => {
  const zones: Record<string, Backend[]> = {
    a1: [await backend(t, 'a1-0', '127.0.1.1'), await backend(t, 'a1-1', '127.0.1.2')],
    b1: [await backend(t, 'b1-0', '127.0.2.1'), await backend(t, 'b1-1', '127.0.2.2')],
    c1: [await backend(t, 'c1-0', '127.0.3.1'), await backend(t, 'c1-1', '127.0.3.2')],
  };
  const dir = await tempDir(t);
  for (const [zone, list] of Object.entries(zones)) await writeFile(join(dir, `${zone}.yaml`), service('app', list, HEALTH));
  const running = await startEdgeway(
    t,
    docs(
      settings(`locality: {zone: a1, region: r1}
healthChecks: {failureThreshold: 1, timeout: 300ms}
outlierDetection: {consecutiveFailures: 1, baseEjectionTime: 200ms, maxEjectionTime: 1s}
clusters:
  - {name: a, config: ["${join(dir, 'a1.yaml')}"], zone: a1, region: r1}
  - {name: b, config: ["${join(dir, 'b1.yaml')}"], zone: b1, region: r1}
  - {name: c, config: ["${join(dir, 'c1.yaml')}"], zone: c1, region: r2}`),
      INGRESS_CLASS,
      service('app', []),
      ingress('app', [{ host: 'app.test', path: '/', service: 'app' }]),
    ),
  );

  // One client sends GETs back to back for the whole test (bounded by count and time) and records who answered.
  const seen: { zone: string; status: number }[] = [];
  let stop = false;
  const deadline = Date.now() + 30_000;
  const client = (async () => {
    while (!stop && seen.length < 20_000 && Date.now() < deadline) {
      const reply = await httpGet(`${running.url}/`, { host: 'app.test' });
      seen.push({ zone: reply.status === 200 ? reply.text.slice(0, 2) : `status ${reply.status}`, status: reply.status });
    }
  })();
  /** Waits until the last 30 answers all came from `zone`. */
  const servedBy = async (zone: string): Promise<void> => {
    const start = seen.length;
    while (Date.now() < deadline) {
      const recent = seen.slice(Math.max(start, seen.length - 30));
      if (seen.length - start >= 30 && recent.every((s) => s.zone === zone)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`traffic never settled on ${zone}: last ${JSON.stringify(seen.slice(-10))}`);
  };

  try {
    await servedBy('a1');
    await Promise.all(zones.a1!.map((b) => b.kill()));
    await servedBy('b1');
    const view = JSON.parse((await httpGet(`${running.adminUrl}/debug/upstreams`)).text) as {
      backends: { clusters: string[]; locality: { reason: string } }[];
    };
    t.deepEqual(view.backends[0]!.clusters, ['local', 'a', 'b', 'c']);
    t.regex(view.backends[0]!.locality.reason, /region r1 100%/);
    await Promise.all(zones.b1!.map((b) => b.kill()));
    await servedBy('c1');
    await Promise.all(zones.a1!.map((b) => b.revive()));
    await servedBy('a1');
  } finally {
    stop = true;
    await client;
  }
  const failed = seen.filter((s) => s.status !== 200);
  t.deepEqual(failed, [], `${failed.length} of ${seen.length} requests failed`);
  t.true(seen.length > 100);
});
