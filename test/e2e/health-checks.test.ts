/**
 * Active health checks and passive outlier detection against real loopback backends: a backend whose probe answers
 * 500 is taken out and comes back when it answers 200; one that answers traffic with 500 is ejected and returns
 * after its ejection; when too few are healthy, panic mode uses them all. State changes are awaited with a deadline.
 */
import test from 'ava';
import { httpGet } from '../helpers/http.ts';
import { docs, ingress, INGRESS_CLASS, settings } from '../helpers/manifests.ts';
import { startEdgeway } from '../helpers/edgeway.ts';
import { waitFor } from '../helpers/servers.ts';
import { backend, service, tally } from '../fixtures/resilience-fixtures.ts';

interface UpstreamView {
  backends: {
    service: string;
    locality: { panic: boolean; reason: string };
    endpoints: { address: string; healthy: boolean; ejected: boolean; ejections: number; activeCheck: { passing: boolean; checked: boolean } | null }[];
  }[];
}

async function upstreams(adminUrl: string): Promise<UpstreamView> {
  return JSON.parse((await httpGet(`${adminUrl}/debug/upstreams`)).text) as UpstreamView;
}

async function requests(url: string, n: number): Promise<Record<string, number>> {
  const replies = [];
  for (let i = 0; i < n; i++) replies.push(await httpGet(`${url}/`, { host: 'app.test' }));
  return tally(replies);
}

const HEALTH = { 'edgeway.io/health-check-path': '/healthz', 'edgeway.io/health-check-interval': '100ms' };

test('active check: a backend failing its probe gets no traffic, and gets it again once the probe passes', async (t) => {
  const a = await backend(t, 'a', '127.0.0.2');
  const b = await backend(t, 'b', '127.0.0.3');
  const running = await startEdgeway(
    t,
    docs(
      settings('healthChecks: {failureThreshold: 2, successThreshold: 2, timeout: 500ms}'),
      INGRESS_CLASS,
      service('app', [a, b], HEALTH),
      ingress('app', [{ host: 'app.test', path: '/', service: 'app' }]),
    ),
  );
  await waitFor(async () => (await upstreams(running.adminUrl)).backends[0]!.endpoints.every((e) => e.activeCheck?.checked === true), 5000, 'first checks');
  t.deepEqual(await requests(running.url, 10), { a: 5, b: 5 });

  b.probeStatus = 500;
  await waitFor(async () => !(await upstreams(running.adminUrl)).backends[0]!.endpoints[1]!.healthy, 5000, 'b marked down');
  t.deepEqual(await requests(running.url, 10), { a: 10 });

  b.probeStatus = 200;
  await waitFor(async () => (await upstreams(running.adminUrl)).backends[0]!.endpoints[1]!.healthy, 5000, 'b marked up');
  t.deepEqual(await requests(running.url, 10), { a: 5, b: 5 });
});

test('outlier detection: a backend answering 5xx is ejected, traffic moves, and it returns after the ejection', async (t) => {
  const a = await backend(t, 'a', '127.0.0.4');
  const b = await backend(t, 'b', '127.0.0.5');
  b.status = 503;
  const running = await startEdgeway(
    t,
    docs(
      settings('outlierDetection: {consecutiveFailures: 3, baseEjectionTime: 300ms, maxEjectionTime: 1s}'),
      INGRESS_CLASS,
      service('app', [a, b]),
      ingress('app', [{ host: 'app.test', path: '/', service: 'app' }]),
    ),
  );
  // Round robin: b gets every second request; its third 503 ejects it.
  const first = await requests(running.url, 6);
  t.deepEqual(first, { a: 3, failed: 3 });
  const view = await upstreams(running.adminUrl);
  t.true(view.backends[0]!.endpoints[1]!.ejected);
  t.is(view.backends[0]!.endpoints[1]!.ejections, 1);
  t.deepEqual(await requests(running.url, 6), { a: 6 });

  b.status = 200;
  await waitFor(async () => (await upstreams(running.adminUrl)).backends[0]!.endpoints[1]!.healthy, 5000, 'b back after its ejection');
  const after = await requests(running.url, 10);
  t.true((after.b ?? 0) > 0, JSON.stringify(after));
  t.is(after.failed, undefined);
});

test('panic threshold: with 1 of 3 endpoints healthy (47% after overprovisioning, below 50%), all three are used', async (t) => {
  const [a, b, c] = [await backend(t, 'a', '127.0.0.6'), await backend(t, 'b', '127.0.0.7'), await backend(t, 'c', '127.0.0.8')];
  const running = await startEdgeway(
    t,
    docs(
      settings('healthChecks: {failureThreshold: 1, timeout: 500ms}'),
      INGRESS_CLASS,
      service('app', [a, b, c], HEALTH),
      ingress('app', [{ host: 'app.test', path: '/', service: 'app' }]),
    ),
  );
  b.probeStatus = 500;
  await waitFor(async () => !(await upstreams(running.adminUrl)).backends[0]!.endpoints[1]!.healthy, 5000, 'b down');
  const two = await requests(running.url, 12);
  t.is(two.b, undefined, '2 of 3 healthy: no panic, b gets nothing');
  c.probeStatus = 500;
  await waitFor(async () => (await upstreams(running.adminUrl)).backends[0]!.locality.panic, 5000, 'panic');
  const all = await requests(running.url, 12);
  t.deepEqual(all, { a: 4, b: 4, c: 4 });
  t.regex((await upstreams(running.adminUrl)).backends[0]!.locality.reason, /panic/);
});
