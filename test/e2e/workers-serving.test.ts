/**
 * `edgeway serve --workers 2` as real processes: a reload is reported only once every worker serves it, /metrics is
 * one scrape summing the workers, access lines from both workers arrive whole, and a Service's max-requests holds
 * across the workers together (docs/workers.md).
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen, unusedPort, waitFor } from '../helpers/servers.ts';
import { addressSettings, loopbackBlock, pod, service } from '../fixtures/addresses-fixtures.ts';
import { accessLines, startWorkerGateway } from '../helpers/worker-gateway.ts';

type T = Parameters<typeof listen>[0];

async function backend(t: T) {
  return listen(t, (req, res) => res.end(`hello ${req.url}`));
}

test.serial('a reload is reported once every worker serves it', async (t) => {
  const be = await backend(t);
  const service = serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: be.port }]);
  const gw = await startWorkerGateway(t, docs(INGRESS_CLASS, service, ingress('a', [{ host: 'a.test', path: '/', service: 'web' }])), 2);
  t.deepEqual(
    (await gw.workers()).map((w) => w.generation),
    [1, 1],
  );
  t.is((await httpGet(`${gw.url}/`, { host: 'b.test' })).status, 404);

  await writeFile(
    gw.file,
    docs(INGRESS_CLASS, service, ingress('a', [{ host: 'a.test', path: '/', service: 'web' }]), ingress('b', [{ host: 'b.test', path: '/', service: 'web' }])),
  );
  const reload = await httpGet(`${gw.adminUrl}/reload`, {}, 'POST');
  t.is(reload.status, 200);
  // Reported: every worker has the generation, and the new host answers on every fresh connection at once.
  const status = await gw.status();
  const workers = await gw.workers();
  t.true(
    workers.every((w) => w.generation === status.generation),
    JSON.stringify({ status, workers }),
  );
  t.true(status.generation >= 2);
  const replies = await Promise.all(Array.from({ length: 16 }, (_, i) => httpGet(`${gw.url}/r${i}`, { host: 'b.test' })));
  t.deepEqual(
    replies.map((r) => r.status),
    replies.map(() => 200),
  );
  // ... and both workers answered them.
  const after = () => accessLines(gw).filter((l) => l.path.startsWith('/r'));
  await waitFor(() => after().length === 16, 10_000, 'the access lines');
  t.deepEqual([...new Set(after().map((l) => l.worker))].sort(), workers.map((w) => w.id).sort());
});

test.serial('/metrics sums the requests of every worker', async (t) => {
  const be = await backend(t);
  const gw = await startWorkerGateway(
    t,
    docs(INGRESS_CLASS, serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: be.port }]), ingress('a', [{ host: 'a.test', path: '/', service: 'web' }])),
    2,
  );
  for (let i = 0; i < 20; i++) t.is((await httpGet(`${gw.url}/m${i}`, { host: 'a.test' })).status, 200);
  const total = async (): Promise<number> => {
    const body = (await httpGet(`${gw.adminUrl}/metrics`)).text;
    const lines = body.split('\n').filter((l) => l.startsWith('edgeway_requests_total{') && l.includes('status="2xx"'));
    return lines.reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  };
  await waitFor(async () => (await total()) === 20, 10_000, 'the 20 requests in /metrics');
  await waitFor(() => accessLines(gw).length === 20, 10_000, 'the access lines');
  const served = new Set(accessLines(gw).map((l) => l.worker));
  t.is(served.size, 2, 'both workers served some of the 20');
  const body = (await httpGet(`${gw.adminUrl}/metrics`)).text;
  // What only the primary knows is not multiplied by the workers.
  t.regex(body, /^edgeway_config_generation 1$/m);
});

test.serial('access lines from both workers arrive whole, never interleaved', async (t) => {
  const be = await backend(t);
  const gw = await startWorkerGateway(
    t,
    docs(INGRESS_CLASS, serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: be.port }]), ingress('a', [{ host: 'a.test', path: '/', service: 'web' }])),
    2,
  );
  // Long paths make lines of about 2 KiB, so each worker's batches pass PIPE_BUF (4 KiB) many times over.
  const long = 'x'.repeat(2000);
  const count = 300;
  for (let next = 0; next < count; ) {
    const batch = Array.from({ length: Math.min(20, count - next) }, (_, i) => httpGet(`${gw.url}/${next + i}/${long}`, { host: 'a.test' }));
    next += batch.length;
    for (const r of await Promise.all(batch)) t.is(r.status, 200);
  }
  await waitFor(() => accessLines(gw).length === count, 15_000, 'every access line');
  // lines() parses every stdout line as JSON: a split or interleaved line would throw here.
  const lines = accessLines(gw);
  t.is(new Set(lines.map((l) => l.path.split('/')[1])).size, count);
  t.true(lines.every((l) => l.path.endsWith(long)));
  t.is(new Set(lines.map((l) => l.worker)).size, 2);
});

test.serial("a Service's max-requests holds across the workers together", async (t) => {
  const held: (() => void)[] = [];
  const be = await listen(t, (_req, res) => void held.push(() => res.end('done')));
  const service = serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: be.port }]).replace(
    'metadata:\n  name: web\n  namespace: default\nspec:',
    'metadata:\n  name: web\n  namespace: default\n  annotations:\n    edgeway.io/max-requests: "4"\nspec:',
  );
  t.true(service.includes('max-requests'));
  const gw = await startWorkerGateway(t, docs(INGRESS_CLASS, service, ingress('a', [{ host: 'a.test', path: '/', service: 'web' }])), 2);
  const statuses: number[] = [];
  const requests = Array.from({ length: 10 }, (_, i) =>
    httpGet(`${gw.url}/l${i}`, { host: 'a.test' }).then((r) => {
      statuses.push(r.status);
      return r;
    }),
  );
  // Every request has either reached the backend or been refused: at most 4 reached it (2 per worker).
  await waitFor(() => held.length + statuses.length === 10, 10_000, 'every request to be held or refused');
  t.true(held.length <= 4, `${held.length} requests reached the backend`);
  t.true(held.length >= 2, `${held.length} requests reached the backend`);
  held.splice(0).forEach((f) => f());
  const replies = await Promise.all(requests);
  const refused = replies.filter((r) => r.status === 503);
  t.is(replies.filter((r) => r.status === 200).length + refused.length, 10);
  t.true(refused.length >= 6);
  t.true(refused.every((r) => r.headers['x-edgeway-limit'] !== undefined));
});

test.serial('health checks run once, in the primary, and every worker routes around a failing endpoint', async (t) => {
  const probes: number[] = [];
  const good = await listen(t, (req, res) => (req.url === '/healthz' ? res.end('ok') : res.end('good')));
  const bad = await listen(t, (req, res) => {
    if (req.url === '/healthz') {
      probes.push(Date.now());
      res.statusCode = 500;
    }
    res.end('bad');
  });
  const service = serviceWithEndpoints('web', [
    { ip: '127.0.0.1', port: good.port },
    { ip: '127.0.0.1', port: bad.port },
  ]).replace(
    'metadata:\n  name: web\n  namespace: default\nspec:',
    'metadata:\n  name: web\n  namespace: default\n  annotations:\n    edgeway.io/health-check-path: /healthz\n    edgeway.io/health-check-interval: 400ms\nspec:',
  );
  const interval = 400;
  const gw = await startWorkerGateway(
    t,
    docs(settings('healthChecks: {failureThreshold: 1}'), INGRESS_CLASS, service, ingress('a', [{ host: 'a.test', path: '/', service: 'web' }])),
    2,
  );
  // One prober: five probes take four intervals; a prober per process (three) would send them in under two.
  await waitFor(() => probes.length >= 5, 15_000, 'five probes of the failing endpoint');
  const first = probes[0]!;
  const fifth = probes[4]!;
  t.true(fifth - first >= 3 * interval, `five probes in ${fifth - first} ms`);
  // Both workers took the primary's verdict: nothing goes to the failing endpoint.
  const replies = await Promise.all(Array.from({ length: 16 }, (_, i) => httpGet(`${gw.url}/h${i}`, { host: 'a.test' })));
  t.deepEqual(
    replies.map((r) => r.text),
    replies.map(() => 'good'),
  );
  await waitFor(() => accessLines(gw).filter((l) => l.path.startsWith('/h')).length === 16, 10_000, 'the access lines');
  t.is(new Set(accessLines(gw).map((l) => l.worker)).size, 2);
});

test.serial('Service listeners are served by the workers, and one that cannot be bound shows in /config/status', async (t) => {
  const block = loopbackBlock();
  const a = await pod(t, 'pod-a');
  const port = await unusedPort();
  // 192.0.2.0/24 is TEST-NET-1: never on this machine, so binding its address fails with EADDRNOTAVAIL.
  const yaml = docs(
    addressSettings({ pool: [`${block}.0/30`], nodes: [`${block}.9`], morePools: '      - {name: remote, addresses: [192.0.2.10/32], autoAssign: false}\n' }),
    service({ name: 'near', ports: [{ port, appProtocol: 'http' }], endpoints: [{ ip: '127.0.0.1', port: a.port }] }),
    service({
      name: 'far',
      ports: [{ port, appProtocol: 'http' }],
      endpoints: [{ ip: '127.0.0.1', port: a.port }],
      annotations: { 'metallb.io/address-pool': 'remote' },
    }),
  );
  const gw = await startWorkerGateway(t, yaml, 2);
  const workers = await gw.workers();
  for (let i = 0; i < 8; i++) t.is((await httpGet(`http://${block}.0:${port}/s${i}`, { host: 'x' })).text, 'pod-a');
  await waitFor(() => accessLines(gw).filter((l) => l.path.startsWith('/s')).length === 8, 10_000, 'the access lines');
  t.deepEqual([...new Set(accessLines(gw).map((l) => l.worker))].sort(), workers.map((w) => w.id).sort());
  const status = (await httpGet(`${gw.adminUrl}/config/status`)).text;
  t.regex(status, /192\.0\.2\.10:\d+\/TCP[^"]*not on this machine/);
});
