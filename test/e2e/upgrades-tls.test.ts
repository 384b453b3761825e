/**
 * WebSocket over the HTTPS entrypoint: a `ws` client on wss:// (trusting the test CA) through edgeway to a `ws`
 * server, messages both ways; a reload that keeps the route keeps the tunnel, one that removes it closes the tunnel
 * after the grace period; and HTTP/2 clients are not offered extended CONNECT (RFC 8441), so browsers use HTTP/1.1.
 */
import test, { type ExecutionContext } from 'ava';
import { connect as h2connect } from 'node:http2';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocket, type ClientOptions } from 'ws';
import { startEdgeway, tempDir, type Running } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { waitFor } from '../helpers/servers.ts';
import { echoServer, roundTrip } from '../helpers/websocket.ts';
import { ca, leaf } from '../fixtures/tls-fixtures.ts';

const ROOT = ca('wss test root');
const DEFAULT = leaf(ROOT, ['edge.test']);

/** edgeway with its HTTPS entrypoint on, serving the test CA's certificate for edge.test by default. */
async function startTls(t: ExecutionContext, config: (certs: string) => string): Promise<Running & { httpsPort: number; config: string }> {
  const dir = await tempDir(t);
  const certs = join(dir, 'certs');
  await mkdir(certs);
  await writeFile(join(certs, 'default.crt'), DEFAULT.certPem);
  await writeFile(join(certs, 'default.key'), DEFAULT.keyPem, { mode: 0o600 });
  const running = await startEdgeway(t, config(certs), { https: true, dir });
  return { ...running, httpsPort: running.edgeway.addresses.find((a) => a.name === 'https')?.port ?? 0, config: join(dir, 'config.yaml') };
}

function open(url: string, host: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // ws hands its options to https.request, which takes the TLS server name (ws's types do not declare it).
    const options: ClientOptions & { servername: string } = { headers: { host }, ca: ROOT.certPem, servername: 'edge.test' };
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`status ${res.statusCode}`), { status: res.statusCode, code: res.headers['x-edgeway-error'] })),
    );
  });
}

test('wss:// through the HTTPS entrypoint: messages both ways, X-Forwarded-Proto https; a reload keeping the route keeps the tunnel', async (t) => {
  const server = await echoServer(t);
  const objects = (extra: string) => (certs: string) =>
    docs(
      settings(`tls:\n  certificatesDir: ${certs}\nupgrades: {removedRouteGrace: 200ms}`),
      INGRESS_CLASS,
      serviceWithEndpoints('ws', [{ ip: '127.0.0.1', port: server.port }]),
      ingress('web', [{ host: 'ws.test', path: '/chat', service: 'ws' }]),
      extra,
    );
  let certs = '';
  const gw = await startTls(t, (c) => ((certs = c), objects('')(c)));
  const ws = await open(`wss://127.0.0.1:${gw.httpsPort}/chat/./room`, 'ws.test');
  t.teardown(() => ws.terminate());
  t.is(await roundTrip(ws, 'hello'), 'hello');
  t.is(await roundTrip(ws, 'y'.repeat(300_000)), 'y'.repeat(300_000));
  t.is(server.seen[0]?.url, '/chat/room');
  t.is(server.seen[0]?.headers['x-forwarded-proto'], 'https');
  t.is(gw.edgeway.resilience.tunnels, 1);

  // A reload that adds an unrelated route leaves this one as it was: the tunnel stays open.
  await writeFile(gw.config, objects(ingress('more', [{ host: 'other.test', path: '/', service: 'ws' }]))(certs));
  const outcome = await gw.edgeway.reload('api');
  t.is(gw.edgeway.snapshot.generation, 2, JSON.stringify(outcome));
  t.is(await roundTrip(ws, 'after the reload'), 'after the reload');
  t.is(ws.readyState, WebSocket.OPEN);
});

test('wss://: a reload that removes the route closes the tunnel after the grace period', async (t) => {
  const server = await echoServer(t);
  const base = (certs: string) =>
    docs(
      settings(`tls:\n  certificatesDir: ${certs}\nupgrades: {removedRouteGrace: 200ms}`),
      INGRESS_CLASS,
      serviceWithEndpoints('ws', [{ ip: '127.0.0.1', port: server.port }]),
    );
  let certs = '';
  const gw = await startTls(t, (c) => ((certs = c), docs(base(c), ingress('web', [{ host: 'ws.test', path: '/chat', service: 'ws' }]))));
  const ws = await open(`wss://127.0.0.1:${gw.httpsPort}/chat`, 'ws.test');
  t.teardown(() => ws.terminate());
  t.is(await roundTrip(ws, 'a'), 'a');
  await writeFile(gw.config, docs(base(certs), ingress('web', [{ host: 'ws.test', path: '/elsewhere', service: 'ws' }])));
  await gw.edgeway.reload('api');
  await waitFor(() => ws.readyState === WebSocket.CLOSED, 5000, 'the tunnel on the removed route to close');
  t.is(gw.edgeway.resilience.tunnels, 0);
});

test('HTTP/2 clients are not offered extended CONNECT, so WebSocket stays on HTTP/1.1', async (t) => {
  const gw = await startTls(t, (certs) => docs(settings(`tls:\n  certificatesDir: ${certs}`), INGRESS_CLASS));
  const session = h2connect(`https://127.0.0.1:${gw.httpsPort}`, { ca: ROOT.certPem, servername: 'edge.test' });
  t.teardown(() => session.destroy());
  await new Promise<void>((resolve, reject) => {
    session.once('remoteSettings', () => resolve());
    session.once('error', reject);
  });
  t.is(session.alpnProtocol, 'h2');
  t.not(session.remoteSettings.enableConnectProtocol, true);
});
