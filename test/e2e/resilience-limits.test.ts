/**
 * Circuit limits per Service (max requests, max pending with a capped pool) answering 503 with X-Edgeway-Limit, their
 * annotations' diagnostics, and overload shedding: new requests get 503 + Retry-After while one in flight finishes.
 */
import test from 'ava';
import type { ServerResponse } from 'node:http';
import { loadConfigText } from '../../src/config/load-config.ts';
import { DEFAULT_SETTINGS } from '../../src/config/settings-defaults.ts';
import { isOverloaded } from '../../src/dataplane/overload-guard.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { startEdgeway } from '../helpers/edgeway.ts';
import { httpGet, type Reply } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen, waitFor } from '../helpers/servers.ts';

function withServiceAnnotations(annotations: Record<string, string>, port: number): string {
  const lines = Object.entries(annotations)
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port }]).replace(
    'kind: Service\nmetadata:\n  name: svc\n',
    `kind: Service\nmetadata:\n  name: svc\n  annotations:\n${lines}\n`,
  );
}

/** A backend that holds responses to `/hold*` until released, and answers the rest at once. */
async function holdingBackend(t: Parameters<typeof listen>[0]) {
  const held: ServerResponse[] = [];
  const server = await listen(t, (req, res) => {
    req.resume();
    if (req.url?.startsWith('/hold') === true) held.push(res);
    else res.end('now');
  });
  return { port: server.port, held, release: () => held.splice(0).forEach((r) => r.end('done')) };
}

test('max-requests: the request beyond the limit gets 503 X-Edgeway-Limit: max-requests; the others finish', async (t) => {
  const backend = await holdingBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      withServiceAnnotations({ 'edgeway.io/max-requests': '2' }, backend.port),
      ingress('web', [{ host: 'l.test', path: '/', service: 'svc' }]),
    ),
  );
  const first = [httpGet(`${gw.url}/hold1`, { host: 'l.test' }), httpGet(`${gw.url}/hold2`, { host: 'l.test' })];
  await waitFor(() => backend.held.length === 2, 5000, 'two requests at the backend');
  const third = await httpGet(`${gw.url}/3`, { host: 'l.test' });
  t.is(third.status, 503);
  t.is(third.headers['x-edgeway-limit'], 'max-requests');
  t.is(third.headers['x-edgeway-error'], 'EDGEWAY_LIMIT_MAX_REQUESTS');
  backend.release();
  t.deepEqual(
    (await Promise.all(first)).map((r: Reply) => r.status),
    [200, 200],
  );
  t.is((await httpGet(`${gw.url}/4`, { host: 'l.test' })).status, 200, 'capacity is back once they finished');
});

test('max-connections caps the pool; waiting requests beyond max-pending-requests get 503 max-pending', async (t) => {
  const backend = await holdingBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      withServiceAnnotations({ 'edgeway.io/max-connections': '1', 'edgeway.io/max-pending-requests': '1' }, backend.port),
      ingress('web', [{ host: 'l.test', path: '/', service: 'svc' }]),
    ),
  );
  const running = httpGet(`${gw.url}/hold1`, { host: 'l.test' });
  await waitFor(() => backend.held.length === 1, 5000, 'one request on the only connection');
  const waiting = httpGet(`${gw.url}/hold2`, { host: 'l.test' });
  await waitFor(() => gw.edgeway.backendLoad('default/svc:80')?.pending === 1, 5000, 'the second request waiting for the connection');
  const refused = await httpGet(`${gw.url}/3`, { host: 'l.test' });
  t.is(refused.status, 503);
  t.is(refused.headers['x-edgeway-limit'], 'max-pending');
  t.is(refused.headers['x-edgeway-error'], 'EDGEWAY_LIMIT_MAX_PENDING');
  t.is(backend.held.length, 1, 'one connection only');
  backend.release();
  await waitFor(() => backend.held.length >= 1, 5000, 'the waiting request reaches the backend');
  backend.release();
  t.is((await running).status, 200);
  t.is((await waiting).status, 200);
});

test('a limit annotation edgeway cannot read is an error at its line; the default applies', (t) => {
  const text = docs(
    INGRESS_CLASS,
    withServiceAnnotations({ 'edgeway.io/max-requests': 'lots' }, 80),
    ingress('web', [{ host: 'l.test', path: '/', service: 'svc' }]),
  );
  const load = loadConfigText([{ path: 'c.yaml', text }]);
  const snapshot = compileSnapshot(new ObjectStore(load.objects), load.settings, 1);
  const d = snapshot.diagnostics.find((x) => x.code === 'EW_ANNOTATION_INVALID');
  t.is(d?.object, 'Service default/svc');
  t.is(d?.field, 'metadata.annotations.edgeway.io/max-requests');
  t.is(d?.position?.line, text.split('\n').findIndex((l) => l.includes('edgeway.io/max-requests')) + 1);
  t.is(snapshot.backends.get('default/svc:80')?.limits.maxRequests, DEFAULT_SETTINGS.limits.maxRequests);
});

test('overload decision table', (t) => {
  const s = { maxEventLoopDelayMs: 100, maxHeapBytes: 1000, retryAfterSeconds: 1 };
  t.false(isOverloaded({ delayMs: 10, heapUsed: 100 }, s, 1000));
  t.true(isOverloaded({ delayMs: 150, heapUsed: 100 }, s, 1000));
  t.true(isOverloaded({ delayMs: 10, heapUsed: 950 }, s, 1000), 'near the heap budget (90%) is enough');
  t.false(isOverloaded({ delayMs: 10_000, heapUsed: 100 }, { ...s, maxEventLoopDelayMs: 0 }, 1000), '0 turns the lag check off');
});

// Serial: blocking the event loop sheds load for every gateway in this worker process, so it runs alone.
test.serial('overload: while the event loop lags, new requests get 503 with Retry-After; the one in flight finishes', async (t) => {
  const backend = await holdingBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('overload: {maxEventLoopDelay: 50ms, retryAfterSeconds: 3}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'o.test', path: '/', service: 'svc' }]),
    ),
  );
  const inFlight = httpGet(`${gw.url}/hold-slow`, { host: 'o.test' });
  await waitFor(() => backend.held.length === 1, 5000, 'the request in flight');
  // Block this process's event loop (edgeway runs in it) well past the budget, then ask again.
  let shed: Reply | undefined;
  await waitFor(
    async () => {
      const until = performance.now() + 300;
      while (performance.now() < until) {
        /* busy */
      }
      await new Promise((r) => setImmediate(r));
      const r = await httpGet(`${gw.url}/new`, { host: 'o.test' });
      if (r.status === 503) shed = r;
      return shed !== undefined;
    },
    8000,
    'shedding',
  );
  t.is(shed?.headers['retry-after'], '3');
  t.is(shed?.headers['x-edgeway-error'], 'EDGEWAY_OVERLOADED');
  const metrics = (await httpGet(`${gw.adminUrl}/metrics`)).text;
  const lagged = /^edgeway_overload_rejections_total\{reason="event-loop-delay"\} (\d+)$/m.exec(metrics)?.[1];
  t.true(Number(lagged) >= 1, 'counted under event-loop-delay');
  backend.release();
  t.is((await inFlight).status, 200);
  await waitFor(async () => (await httpGet(`${gw.url}/later`, { host: 'o.test' })).status === 200, 8000, 'recovery');
  t.pass();
});
