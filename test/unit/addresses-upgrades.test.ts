/**
 * WebSocket on the listeners edgeway binds on Service addresses: through a LoadBalancer IP with appProtocol http (a
 * fixed backend, no Ingress), through an h2c port's HTTP/1.1 side, and through an entrypoint Service's plain and
 * HTTPS ports (the Ingress routes); a reload that keeps the Service keeps the tunnel, deleting the Service closes
 * it after the grace period.
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { addressSettings, entrypointSite, loopbackBlock, serve, service } from '../fixtures/addresses-fixtures.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { docs } from '../helpers/manifests.ts';
import { unusedPort, waitFor } from '../helpers/servers.ts';
import { echoServer, openWebSocket, roundTrip } from '../helpers/websocket.ts';

test('a LoadBalancer IP with appProtocol http tunnels WebSocket to the Service endpoints, messages both ways', async (t) => {
  const block = loopbackBlock();
  const server = await echoServer(t);
  const port = await unusedPort();
  const yaml = docs(
    addressSettings({ pool: [`${block}.0/30`], nodes: [`${block}.9`] }),
    service({ name: 'chat', ports: [{ port, appProtocol: 'http' }], endpoints: [{ ip: '127.0.0.1', port: server.port }] }),
  );
  const { edgeway } = await serve(t, await tempDir(t), yaml);
  const ws = await openWebSocket(t, `ws://${block}.0:${port}/room/./a/../b?x=1`, 'chat.test');
  t.is(await roundTrip(ws, 'hello'), 'hello');
  t.is(await roundTrip(ws, 'z'.repeat(200_000)), 'z'.repeat(200_000));
  const seen = server.seen[0];
  t.is(seen?.url, '/room/b?x=1', 'the normalised path, as on the entrypoints');
  t.is(seen?.headers.host, 'chat.test');
  t.is(seen?.headers['x-forwarded-for'], '127.0.0.1');
  t.is(edgeway.resilience.tunnels, 1);

  // The same Service's ClusterIP listener tunnels too.
  const clusterIP = edgeway.snapshot.addresses.services.get('default/chat')?.clusterIPs[0] ?? '';
  const viaClusterIP = await openWebSocket(t, `ws://${clusterIP}:${port}/`, 'chat.test');
  t.is(await roundTrip(viaClusterIP, 'via the ClusterIP'), 'via the ClusterIP');
  t.is(edgeway.resilience.tunnels, 2);
});

test('a reload that keeps the Service keeps its tunnel; deleting the Service closes it after the grace period', async (t) => {
  const block = loopbackBlock();
  const [server, other] = [await echoServer(t), await echoServer(t)];
  const port = await unusedPort();
  const dir = await tempDir(t);
  // A grace period long enough that the tunnel is still there right after the reload on a busy machine.
  const base = addressSettings({ pool: [`${block}.0/30`], nodes: [`${block}.9`], extra: '  upgrades: {removedRouteGrace: 1s}\n' });
  const chat = (endpoints: { ip: string; port: number }[]) => service({ name: 'chat', ports: [{ port, appProtocol: 'http' }], endpoints });
  const { edgeway } = await serve(t, dir, docs(base, chat([{ ip: '127.0.0.1', port: server.port }])));
  const ws = await openWebSocket(t, `ws://${block}.0:${port}/`, 'chat.test');
  t.is(await roundTrip(ws, 'a'), 'a');

  // The Service changes (a second endpoint, so its backend is compiled anew) but stays: the tunnel is kept.
  await writeFile(
    join(dir, 'config.yaml'),
    docs(
      base,
      chat([
        { ip: '127.0.0.1', port: server.port },
        { ip: '127.0.0.1', port: other.port },
      ]),
    ),
  );
  const kept = await edgeway.reload('api');
  t.true(kept.ok, JSON.stringify(kept));
  t.is(edgeway.snapshot.generation, 2);
  t.is(await roundTrip(ws, 'after the reload'), 'after the reload');
  t.is(ws.readyState, WebSocket.OPEN);
  t.is(edgeway.resilience.tunnels, 1);

  // Deleting the Service retires its listeners; the tunnel outlives the reload, then closes after the grace period.
  await writeFile(join(dir, 'config.yaml'), docs(base));
  const deleted = await edgeway.reload('api');
  t.true(deleted.ok, JSON.stringify(deleted));
  t.false(edgeway.snapshot.addresses.listeners.some((l) => l.service === 'default/chat'));
  t.is(await roundTrip(ws, 'within the grace period'), 'within the grace period');
  await waitFor(() => ws.readyState === WebSocket.CLOSED, 10_000, 'the tunnel of the deleted Service to close');
  await waitFor(() => server.closed() === 1, 10_000, 'the endpoint to see the tunnel close');
  t.is(edgeway.resilience.tunnels, 0);
});

test('an h2c Service port tunnels WebSocket from its HTTP/1.1 clients', async (t) => {
  const block = loopbackBlock();
  const server = await echoServer(t);
  const port = await unusedPort();
  const yaml = docs(
    addressSettings({ pool: [`${block}.0/30`], nodes: [`${block}.9`] }),
    service({ name: 'grpcish', ports: [{ port, appProtocol: 'kubernetes.io/h2c' }], endpoints: [{ ip: '127.0.0.1', port: server.port }] }),
  );
  const { edgeway } = await serve(t, await tempDir(t), yaml);
  t.true(edgeway.snapshot.addresses.listeners.some((l) => l.h2c === true && l.address === `${block}.0`));
  const ws = await openWebSocket(t, `ws://${block}.0:${port}/stream`, 'svc.test');
  t.is(await roundTrip(ws, 'over the sniffer'), 'over the sniffer');
  t.is(await roundTrip(ws, 'y'.repeat(100_000)), 'y'.repeat(100_000));
  t.is(server.seen[0]?.url, '/stream');
});

test('an entrypoint Service tunnels WebSocket on its plain and HTTPS ports through the Ingress routes', async (t) => {
  const block = loopbackBlock();
  const server = await echoServer(t);
  const [httpPort, httpsPort, appPort] = [await unusedPort(), await unusedPort(), await unusedPort()];
  const dir = await tempDir(t);
  const yaml = entrypointSite({
    block,
    dir,
    entrypointPorts: [
      { port: httpPort, name: 'http' },
      { port: httpsPort, name: 'https' },
    ],
    appPort,
    backendPort: server.port,
    path: '/chat',
  });
  const { edgeway } = await serve(t, dir, yaml);
  const ip = `${block}.0`;
  t.true(edgeway.snapshot.addresses.listeners.some((l) => l.kind === 'ingress-https' && l.address === ip));

  const plain = await openWebSocket(t, `ws://${ip}:${httpPort}/chat`, 'site.test');
  t.is(await roundTrip(plain, 'plain'), 'plain');
  t.is(server.seen[0]?.headers['x-forwarded-proto'], 'http');

  // The generated self-signed default certificate: not verified here, the TLS tests cover certificates.
  const secure = await openWebSocket(t, `wss://${ip}:${httpsPort}/chat`, 'site.test', { rejectUnauthorized: false });
  t.is(await roundTrip(secure, 'over TLS'), 'over TLS');
  t.is(server.seen[1]?.headers['x-forwarded-proto'], 'https');
  t.is(edgeway.resilience.tunnels, 2);

  const unrouted = await openWebSocket(t, `ws://${ip}:${httpPort}/elsewhere`, 'site.test').catch((e: { status: number; code: string }) => e);
  t.like(unrouted, { status: 404, code: 'EDGEWAY_NO_ROUTE' });
});

test('a Service listener replaced on the same address (appProtocol http to h2c) cuts its tunnels and the reload completes', async (t) => {
  const block = loopbackBlock();
  const server = await echoServer(t);
  const port = await unusedPort();
  const dir = await tempDir(t);
  const base = addressSettings({ pool: [`${block}.0/30`], nodes: [`${block}.9`] });
  const chat = (appProtocol: string) => service({ name: 'chat', ports: [{ port, appProtocol }], endpoints: [{ ip: '127.0.0.1', port: server.port }] });
  const { edgeway } = await serve(t, dir, docs(base, chat('http')));
  const ws = await openWebSocket(t, `ws://${block}.0:${port}/`, 'chat.test');
  t.is(await roundTrip(ws, 'a'), 'a');
  // The listener must close to be bound again; its server would wait for the tunnel, so the tunnel is cut at once.
  await writeFile(join(dir, 'config.yaml'), docs(base, chat('kubernetes.io/h2c')));
  const outcome = await edgeway.reload('api');
  t.true(outcome.ok, JSON.stringify(outcome));
  await waitFor(() => ws.readyState === WebSocket.CLOSED, 10_000, 'the tunnel on the replaced listener to close');
  const again = await openWebSocket(t, `ws://${block}.0:${port}/`, 'chat.test');
  t.is(await roundTrip(again, 'on the new listener'), 'on the new listener');
  t.is(edgeway.resilience.tunnels, 1);
});
