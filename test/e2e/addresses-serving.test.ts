/**
 * Allocated addresses served over real loopback sockets: a LoadBalancer IP from a 127.x pool reaches its pods over
 * HTTP, a NodePort answers on the node address, a TCP Service passes bytes both ways with half-close, an
 * entrypoint Service publishes the Ingress router, a bind failure and a UDP port become conditions while the rest is
 * served, and the Service shows its addresses through withStatus and /config/status.
 */
import test from 'ava';
import { request as httpsRequest } from 'node:https';
import { connect, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { Service } from '../../src/k8s/types.ts';
import { withStatus } from '../../src/status/with-status.ts';
import { addressPoolUsage } from '../../src/status/address-status.ts';
import { addressSettings, entrypointSite, halfClosePeer, loopbackBlock, pod, serve, service, tcpExchange } from '../fixtures/addresses-fixtures.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS } from '../helpers/manifests.ts';
import { unusedPort } from '../helpers/servers.ts';

test('a LoadBalancer Service gets an IP from a 127.x pool, and HTTP to that IP:port reaches its pods (appProtocol http)', async (t) => {
  const block = loopbackBlock();
  const [a, b] = [await pod(t, 'pod-a'), await pod(t, 'pod-b')];
  const port = await unusedPort();
  const yaml = docs(
    addressSettings({ pool: [`${block}.0/28`], nodes: [`${block}.100`] }),
    service({
      name: 'web',
      ports: [{ port, appProtocol: 'http' }],
      endpoints: [
        { ip: '127.0.0.1', port: a.port },
        { ip: '127.0.0.1', port: b.port },
      ],
    }),
  );
  const { edgeway } = await serve(t, await tempDir(t), yaml);
  const allocation = edgeway.snapshot.addresses.services.get('default/web');
  t.deepEqual(allocation?.loadBalancer, { kind: 'assigned', pool: 'test', ips: [`${block}.0`] });
  const ip = `${block}.0`;
  const bodies = [];
  for (let i = 0; i < 4; i++) bodies.push((await httpGet(`http://${ip}:${port}/x`, { host: 'anything.test' })).text);
  t.deepEqual(bodies.sort(), ['pod-a', 'pod-a', 'pod-b', 'pod-b']);

  // What users see: spec.clusterIP(s), spec.ports[].nodePort, status.loadBalancer.ingress[].ip and conditions.
  const shown = withStatus(
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ name: 'p0', port }] } },
    edgeway.snapshot,
  ) as Service & { status: { conditions: { type: string; status: string }[] } };
  t.deepEqual(
    shown.status.loadBalancer?.ingress?.map((i) => i.ip),
    [ip],
  );
  t.regex(shown.spec.clusterIP ?? '', /^127\.(9[6-9]|10[0-9]|11[01])\./);
  t.deepEqual(shown.spec.clusterIPs, [shown.spec.clusterIP]);
  const nodePort = shown.spec.ports?.[0]?.nodePort ?? 0;
  t.true(nodePort >= 30000 && nodePort <= 32767);
  t.true(
    shown.status.conditions.every((c) => c.status === 'True'),
    JSON.stringify(shown.status.conditions),
  );

  // The same Service answers on its ClusterIP and on its NodePort at the node address.
  t.is((await httpGet(`http://${shown.spec.clusterIP}:${port}/`, { host: 'x' })).status, 200);
  t.is((await httpGet(`http://${block}.100:${nodePort}/`, { host: 'x' })).status, 200);

  const status = (await httpGet(`http://127.0.0.1:${edgeway.adminPort}/config/status`)).text;
  const addresses = (JSON.parse(status) as { addresses: { services: { service: string; loadBalancer: unknown }[]; pools: unknown[] } }).addresses;
  t.deepEqual(addresses.services.find((s) => s.service === 'default/web')?.loadBalancer, { ips: [ip], pool: 'test' });
  t.deepEqual(addressPoolUsage(edgeway.snapshot), [{ pool: 'test', used: 1, free: 15, size: 16 }]);
});

test('a NodePort Service answers on the node address (plain TCP)', async (t) => {
  const block = loopbackBlock();
  const peer = await halfClosePeer(t, 'peer');
  const port = await unusedPort();
  const yaml = docs(
    addressSettings({ pool: [`${block}.0/30`], nodes: [`${block}.7`, `${block}.8`] }),
    service({ name: 'db', type: 'NodePort', ports: [{ port }], endpoints: [{ ip: '127.0.0.1', port: peer.port }] }),
  );
  const { edgeway } = await serve(t, await tempDir(t), yaml);
  const nodePort = edgeway.snapshot.addresses.services.get('default/db')?.nodePorts[0]?.nodePort ?? 0;
  t.true(nodePort >= 30000);
  for (const node of [`${block}.7`, `${block}.8`]) t.is((await tcpExchange(node, nodePort, 'hello')).toString(), 'peer got 5 bytes\n');
  t.deepEqual(edgeway.snapshot.addresses.services.get('default/db')?.loadBalancer, { kind: 'none' });
});

test('a TCP Service passes bytes both ways with half-close, round-robin per connection; a dead endpoint resets the client', async (t) => {
  const block = loopbackBlock();
  const [one, two] = [await halfClosePeer(t, 'one', 1 << 20), await halfClosePeer(t, 'two', 1 << 20)];
  const port = await unusedPort();
  const dead = await unusedPort();
  const yaml = docs(
    addressSettings({ pool: [`${block}.0/30`], nodes: [`${block}.9`] }),
    service({
      name: 'stream',
      ports: [{ port }],
      endpoints: [
        { ip: '127.0.0.1', port: one.port },
        { ip: '127.0.0.1', port: two.port },
      ],
    }),
    service({ name: 'gone', ports: [{ port }], endpoints: [{ ip: '127.0.0.1', port: dead }] }),
  );
  const { edgeway } = await serve(t, await tempDir(t), yaml);
  const ips = new Map([...edgeway.snapshot.addresses.services].map(([k, s]) => [k, s.loadBalancer.kind === 'assigned' ? s.loadBalancer.ips[0]! : '']));
  const payload = Buffer.alloc(256 * 1024, 97);
  const first = await tcpExchange(ips.get('default/stream')!, port, payload);
  const second = await tcpExchange(ips.get('default/stream')!, port, payload);
  const heads = [first, second].map((b) => b.subarray(0, b.indexOf(10) + 1).toString()).sort();
  t.deepEqual(heads, ['one got 262144 bytes\n', 'two got 262144 bytes\n']);
  t.is(first.length, heads[0]!.length + (1 << 20));

  await t.throwsAsync(tcpExchange(ips.get('default/gone')!, port, 'x'), { code: 'ECONNRESET' });
});

test('an entrypoint Service publishes the Ingress router on its LoadBalancer IP, and Ingress status shows that IP', async (t) => {
  const block = loopbackBlock();
  const app = await pod(t, 'app');
  const [entryPort, appPort] = [await unusedPort(), await unusedPort()];
  const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: site
  namespace: default
spec:
  rules:
    - host: site.test
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: app
                port:
                  number: ${appPort}
`;
  const yaml = docs(
    INGRESS_CLASS,
    addressSettings({ pool: [`${block}.0/30`], nodes: [`${block}.9`] }),
    service({ name: 'edgeway', ports: [{ port: entryPort, name: 'http' }], endpoints: [], annotations: { 'edgeway.io/entrypoint': 'true' } }),
    service({ name: 'app', type: 'ClusterIP', ports: [{ port: appPort }], endpoints: [{ ip: '127.0.0.1', port: app.port }] }),
    ingress,
  );
  const { edgeway } = await serve(t, await tempDir(t), yaml);
  const ip = `${block}.0`;
  t.deepEqual(edgeway.snapshot.addresses.entrypointIPs, [ip]);
  const reply = await httpGet(`http://${ip}:${entryPort}/`, { host: 'site.test' });
  t.is(reply.text, 'app');
  t.is((await httpGet(`http://${ip}:${entryPort}/`, { host: 'other.test' })).status, 404);
  const shown = withStatus(
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'site', namespace: 'default' }, spec: {} },
    edgeway.snapshot,
  );
  t.deepEqual(shown['status'], { loadBalancer: { ingress: [{ ip }] } });
});

test('a bind failure and a UDP port become conditions on their Service, while the other listeners serve', async (t) => {
  const block = loopbackBlock();
  const a = await pod(t, 'pod-a');
  const port = await unusedPort();
  // 192.0.2.0/24 is TEST-NET-1: never on this machine, so binding its address fails with EADDRNOTAVAIL.
  const yaml = docs(
    addressSettings({ pool: [`${block}.0/30`], nodes: [`${block}.9`], morePools: '      - {name: remote, addresses: [192.0.2.10/32], autoAssign: false}\n' }),
    service({
      name: 'far',
      ports: [{ port, appProtocol: 'http' }],
      endpoints: [{ ip: '127.0.0.1', port: a.port }],
      annotations: { 'metallb.io/address-pool': 'remote' },
    }),
    service({
      name: 'near',
      ports: [
        { port, appProtocol: 'http' },
        { port, protocol: 'UDP', name: 'dns' },
      ],
      endpoints: [{ ip: '127.0.0.1', port: a.port }],
    }),
  );
  const { edgeway, reports } = await serve(t, await tempDir(t), yaml);
  t.true(
    reports.some((r) => r.includes('Service default/far') && r.includes('EADDRNOTAVAIL')),
    reports.join('\n'),
  );
  const failures = edgeway.snapshot.listenerFailures.get('default/far') ?? [];
  t.deepEqual(
    failures.map((f) => f.errno),
    ['EADDRNOTAVAIL'],
  );
  t.regex(failures[0]?.message ?? '', /192\.0\.2\.10:\d+\/TCP .*not on this machine/);
  const far = withStatus(
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'far', namespace: 'default' }, spec: { type: 'LoadBalancer' } },
    edgeway.snapshot,
  ) as Service & {
    status: { conditions: { type: string; status: string; reason: string }[] };
  };
  t.deepEqual(
    far.status.loadBalancer?.ingress?.map((i) => i.ip),
    ['192.0.2.10'],
  );
  t.like(
    far.status.conditions.find((c) => c.type === 'edgeway.io/Serving'),
    { status: 'False', reason: 'EW_LISTENER_BIND_FAILED' },
  );
  // The same Service's ClusterIP listener, and the other Service, are served.
  const farClusterIP = edgeway.snapshot.addresses.services.get('default/far')?.clusterIPs[0] ?? '';
  t.is((await httpGet(`http://${farClusterIP}:${port}/`, { host: 'x' })).text, 'pod-a');
  t.is((await httpGet(`http://${block}.0:${port}/`, { host: 'x' })).text, 'pod-a');
  const near = edgeway.snapshot.addresses.problems.get('default/near') ?? [];
  t.deepEqual(
    near.map((p) => p.reason),
    ['EW_SERVICE_PROTOCOL_UNSUPPORTED'],
  );
  t.true(
    edgeway.snapshot.diagnostics.some((d) => d.code === 'EW_SERVICE_PROTOCOL_UNSUPPORTED' && d.field === 'spec.ports[1].protocol' && d.position !== undefined),
  );
});

test('TCP pass-through: an idle connection is closed after tcpIdleTimeout; an endpoint reset mid-stream resets the client', async (t) => {
  const block = loopbackBlock();
  // One endpoint that never answers (the idle case), one that sends a little and then resets.
  const quiet = createTcpServer((s) => s.on('error', () => undefined));
  const resetting = createTcpServer((s) => {
    s.on('error', () => undefined);
    s.write('partial');
    setImmediate(() => s.resetAndDestroy());
  });
  for (const server of [quiet, resetting]) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    t.teardown(() => closeTcp(server));
  }
  const portOf = (s: TcpServer): number => (s.address() as { port: number }).port;
  const port = await unusedPort();
  const yaml = docs(
    addressSettings({ pool: [`${block}.0/30`], nodes: [`${block}.9`], extra: '    tcpIdleTimeout: 300ms\n' }),
    service({ name: 'quiet', ports: [{ port }], endpoints: [{ ip: '127.0.0.1', port: portOf(quiet) }], created: '2026-01-01T00:00:00Z' }),
    service({ name: 'resetting', ports: [{ port }], endpoints: [{ ip: '127.0.0.1', port: portOf(resetting) }], created: '2026-01-02T00:00:00Z' }),
  );
  await serve(t, await tempDir(t), yaml);
  const idle = connect({ host: `${block}.0`, port });
  idle.on('error', () => undefined);
  await new Promise<void>((resolve) => idle.once('close', () => resolve()));
  t.pass('the idle connection was closed by edgeway');

  const broken = connect({ host: `${block}.1`, port });
  let received = '';
  broken.on('data', (c: Buffer) => (received += c.toString()));
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    broken.once('error', resolve);
    broken.once('close', () => resolve(undefined));
  });
  t.is(error?.code, 'ECONNRESET');
  t.true('partial'.startsWith(received));
});

function closeTcp(server: TcpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

test('an entrypoint Service HTTPS port publishes the Ingress router over TLS with the entrypoint certificates', async (t) => {
  const block = loopbackBlock();
  const app = await pod(t, 'app');
  const [httpsPort, appPort] = [await unusedPort(), await unusedPort()];
  const dir = await tempDir(t);
  const yaml = entrypointSite({ block, dir, entrypointPorts: [{ port: httpsPort, name: 'https' }], appPort, backendPort: app.port, path: '/' });
  const { edgeway } = await serve(t, dir, yaml);
  const ip = `${block}.0`;
  t.true(edgeway.snapshot.addresses.listeners.some((l) => l.kind === 'ingress-https' && l.address === ip));
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest(
      { host: ip, port: httpsPort, path: '/', servername: 'site.test', headers: { host: 'site.test' }, rejectUnauthorized: false, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end();
  });
  t.is(body, 'app');
});
