/**
 * WebSocket through edgeway with the `ws` package on both ends: messages both ways, the normalised path and
 * forwarding headers at the server, refusals for unroutable upgrades, idle timeouts, and reloads — a tunnel whose
 * route a reload keeps survives it, one whose route is removed is closed after the grace period.
 */
import test from 'ava';
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import { loadConfigText } from '../../src/config/load-config.ts';
import { DataPlane } from '../../src/dataplane/data-plane.ts';
import { createLogger } from '../../src/log.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { startEdgeway } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { rawBackend } from '../helpers/raw-backend.ts';
import { waitFor } from '../helpers/servers.ts';
import { echoServer, roundTrip } from '../helpers/websocket.ts';

function open(url: string, host: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { host } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`status ${res.statusCode}`), { status: res.statusCode, code: res.headers['x-edgeway-error'] })),
    );
  });
}

function closed(ws: WebSocket): boolean {
  return ws.readyState === WebSocket.CLOSED;
}

test('messages flow both ways; the server sees the normalised path and X-Forwarded-For', async (t) => {
  const server = await echoServer(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('ws', [{ ip: '127.0.0.1', port: server.port }]),
      ingress('web', [{ host: 'ws.test', path: '/chat', service: 'ws' }]),
    ),
  );
  const ws = await open(`ws://127.0.0.1:${gw.port}/chat/./room/../lobby?x=1`, 'ws.test');
  t.teardown(() => ws.terminate());
  t.is(await roundTrip(ws, 'hello'), 'hello');
  t.is(await roundTrip(ws, 'x'.repeat(200_000)), 'x'.repeat(200_000));
  t.is(server.seen[0]?.url, '/chat/lobby?x=1');
  t.is(server.seen[0]?.headers['x-forwarded-for'], '127.0.0.1');
  t.is(server.seen[0]?.headers.host, 'ws.test');
  t.is(gw.edgeway.resilience.tunnels, 1);
});

test('an upgrade with no route is refused with edgeway 404; with no live endpoint, 502', async (t) => {
  const gw = await startEdgeway(
    t,
    docs(INGRESS_CLASS, serviceWithEndpoints('ws', [{ ip: '127.0.0.1', port: 1 }]), ingress('web', [{ host: 'ws.test', path: '/chat', service: 'ws' }])),
  );
  const none = await open(`ws://127.0.0.1:${gw.port}/other`, 'ws.test').catch((e: { status: number; code: string }) => e);
  t.like(none, { status: 404, code: 'EDGEWAY_NO_ROUTE' });
  const dead = await open(`ws://127.0.0.1:${gw.port}/chat`, 'ws.test').catch((e: { status: number; code: string }) => e);
  t.like(dead, { status: 502, code: 'EDGEWAY_UPGRADE_FAILED' });
});

test('an idle tunnel is closed after the idle timeout', async (t) => {
  const server = await echoServer(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('upgrades: {idleTimeout: 300ms}'),
      serviceWithEndpoints('ws', [{ ip: '127.0.0.1', port: server.port }]),
      ingress('web', [{ host: 'ws.test', path: '/', service: 'ws' }]),
    ),
  );
  const ws = await open(`ws://127.0.0.1:${gw.port}/`, 'ws.test');
  t.teardown(() => ws.terminate());
  t.is(await roundTrip(ws, 'ping'), 'ping');
  await waitFor(() => closed(ws), 5000, 'the idle tunnel to close');
  t.is(gw.edgeway.resilience.tunnels, 0);
});

function snapshotOf(yaml: string, generation: number) {
  const load = loadConfigText([{ path: `gen${generation}.yaml`, text: yaml }]);
  return compileSnapshot(new ObjectStore(load.objects), load.settings, generation);
}

test('a reload keeps tunnels on unchanged routes and closes those on removed routes after the grace period', async (t) => {
  const server = await echoServer(t);
  const service = serviceWithEndpoints('ws', [{ ip: '127.0.0.1', port: server.port }]);
  const grace = settings('upgrades: {removedRouteGrace: 200ms}');
  const both = docs(
    INGRESS_CLASS,
    grace,
    service,
    ingress('web', [
      { host: 'ws.test', path: '/keep', service: 'ws' },
      { host: 'ws.test', path: '/drop', service: 'ws' },
    ]),
  );
  const keepOnly = docs(INGRESS_CLASS, grace, service, ingress('web', [{ host: 'ws.test', path: '/keep', service: 'ws' }]));
  const first = snapshotOf(both, 1);
  const gateway = new DataPlane(first, createLogger('silent'));
  await gateway.listen({ ...first.settings, http: { host: '127.0.0.1', port: 0 } });
  t.teardown(() => gateway.close(0));
  const port = gateway.addresses[0]!.port;
  const kept = await open(`ws://127.0.0.1:${port}/keep`, 'ws.test');
  const dropped = await open(`ws://127.0.0.1:${port}/drop`, 'ws.test');
  t.teardown(() => {
    kept.terminate();
    dropped.terminate();
  });

  gateway.apply(snapshotOf(both, 2));
  t.is(await roundTrip(kept, 'a'), 'a', 'an unchanged reload touches no tunnel');
  t.is(await roundTrip(dropped, 'b'), 'b');

  gateway.apply(snapshotOf(keepOnly, 3));
  t.is(await roundTrip(dropped, 'still within the grace period'), 'still within the grace period');
  await waitFor(() => closed(dropped), 5000, 'the tunnel on the removed route to close');
  t.false(closed(kept));
  t.is(await roundTrip(kept, 'c'), 'c', 'the tunnel on the kept route survived');
  t.is(gateway.tunnels, 1);
});

test('a reload that moves the HTTP entrypoint closes its old tunnels after the grace period, and the old listener closes', async (t) => {
  const server = await echoServer(t);
  const yaml = docs(
    INGRESS_CLASS,
    settings('upgrades: {removedRouteGrace: 200ms}'),
    serviceWithEndpoints('ws', [{ ip: '127.0.0.1', port: server.port }]),
    ingress('web', [{ host: 'ws.test', path: '/', service: 'ws' }]),
  );
  const first = snapshotOf(yaml, 1);
  const gateway = new DataPlane(first, createLogger('silent'));
  await gateway.listen({ ...first.settings, http: { host: '127.0.0.1', port: 0 } });
  t.teardown(() => gateway.close(0));
  const oldPort = gateway.addresses[0]!.port;
  const ws = await open(`ws://127.0.0.1:${oldPort}/`, 'ws.test');
  t.teardown(() => ws.terminate());
  t.is(await roundTrip(ws, 'before'), 'before');

  await gateway.reconcile({ ...first.settings, http: { host: '127.0.0.2', port: 0 } });
  gateway.apply(snapshotOf(yaml, 2));
  t.is(gateway.addresses[0]!.host, '127.0.0.2');
  t.is(await roundTrip(ws, 'within the grace period'), 'within the grace period');
  await waitFor(() => closed(ws), 5000, 'the tunnel on the retired listener to close');
  // The old listener's close no longer waits on the tunnel: its port refuses connections.
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const probe = connect(oldPort, '127.0.0.1');
        probe.once('connect', () => {
          probe.destroy();
          resolve(false);
        });
        probe.once('error', () => resolve(true));
      }),
    5000,
    'the old listener to close',
  );
  await waitFor(() => gateway.tunnels === 0, 5000, 'no tunnel counted');
  const fresh = await open(`ws://127.0.0.2:${gateway.addresses[0]!.port}/`, 'ws.test');
  t.teardown(() => fresh.terminate());
  t.is(await roundTrip(fresh, 'after'), 'after');
});

test('a canary split applies to upgrades: by-header always goes to the canary, and the tunnel survives a reload', async (t) => {
  const main = await echoServer(t);
  const next = await echoServer(t);
  const canary = ingress('web-canary', [{ host: 'ws.test', path: '/', service: 'next' }]).replace(
    '  namespace: default\n',
    '  namespace: default\n  annotations:\n    nginx.ingress.kubernetes.io/canary: "true"\n    nginx.ingress.kubernetes.io/canary-by-header: "X-Canary"\n',
  );
  // A 1 ms grace: a tunnel the reload wrongly judged as off its route would be gone before the round trip.
  const yaml = docs(
    INGRESS_CLASS,
    settings('upgrades: {removedRouteGrace: 1ms}'),
    serviceWithEndpoints('main', [{ ip: '127.0.0.1', port: main.port }]),
    serviceWithEndpoints('next', [{ ip: '127.0.0.1', port: next.port }]),
    ingress('web', [{ host: 'ws.test', path: '/', service: 'main' }]),
    canary,
  );
  const first = snapshotOf(yaml, 1);
  const gateway = new DataPlane(first, createLogger('silent'));
  await gateway.listen({ ...first.settings, http: { host: '127.0.0.1', port: 0 } });
  t.teardown(() => gateway.close(0));
  const port = gateway.addresses[0]!.port;
  const toCanary = await new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { host: 'ws.test', 'x-canary': 'always' } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
  const toMain = await open(`ws://127.0.0.1:${port}/`, 'ws.test');
  t.teardown(() => {
    toCanary.terminate();
    toMain.terminate();
  });
  t.is(next.seen.length, 1);
  t.is(main.seen.length, 1);
  gateway.apply(snapshotOf(yaml, 2));
  t.is(await roundTrip(toCanary, 'canary'), 'canary', 'a tunnel to the canary is kept while the split stays');
  t.is(await roundTrip(toMain, 'main'), 'main');
});

test('an endpoint that refuses the upgrade: its answer is relayed, and bytes sent behind the upgrade never reach it', async (t) => {
  // The backend answers 403 and keeps the connection: a proxy that kept piping would deliver the smuggled request.
  const backend = await rawBackend(t, { respond: () => 'HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno' });
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('ws', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'ws.test', path: '/chat', service: 'ws' }]),
    ),
  );
  const answer = await new Promise<string>((resolve) => {
    const socket = connect(gw.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(
      'GET /chat HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\nGET /admin HTTP/1.1\r\nHost: ws.test\r\n\r\n',
    );
  });
  t.regex(answer, /^HTTP\/1\.1 403 /);
  t.true(answer.endsWith('no'));
  await waitFor(() => backend.requests.length >= 1, 5000, 'the upgrade request at the backend');
  t.deepEqual(
    backend.requests.map((r) => r.target),
    ['/chat'],
    'only the upgrade request reached the backend',
  );
});

test('a tunnel counts toward the Service max-requests for as long as it lives', async (t) => {
  const server = await echoServer(t);
  const service = serviceWithEndpoints('ws', [{ ip: '127.0.0.1', port: server.port }]).replace(
    'kind: Service\nmetadata:\n  name: ws\n',
    'kind: Service\nmetadata:\n  name: ws\n  annotations:\n    edgeway.io/max-requests: "1"\n',
  );
  const gw = await startEdgeway(t, docs(INGRESS_CLASS, service, ingress('web', [{ host: 'ws.test', path: '/', service: 'ws' }])));
  const first = await open(`ws://127.0.0.1:${gw.port}/`, 'ws.test');
  t.teardown(() => first.terminate());
  const second = await open(`ws://127.0.0.1:${gw.port}/`, 'ws.test').catch((e: { status: number; code: string }) => e);
  t.like(second, { status: 503, code: 'EDGEWAY_LIMIT_MAX_REQUESTS' });
  first.close();
  await waitFor(() => gw.edgeway.backendLoad('default/ws:80')?.active === 0, 5000, 'the tunnel to be released');
  const third = await open(`ws://127.0.0.1:${gw.port}/`, 'ws.test');
  t.teardown(() => third.terminate());
  t.is(await roundTrip(third, 'again'), 'again');
});
