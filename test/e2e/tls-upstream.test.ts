/**
 * Upstream TLS: Services whose port speaks https are reached over TLS from the pool, with SNI and verification
 * against a CA from a Secret or ConfigMap, against a real node:https backend holding a certificate from a CA made
 * here. Two Services to the same address with different CAs must not share a pool.
 */
import test from 'ava';
import { createServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { stringify } from 'yaml';
import { startEdgeway } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS } from '../helpers/manifests.ts';
import { closeServer } from '../helpers/servers.ts';
import { openWebSocket, roundTrip } from '../helpers/websocket.ts';
import { backendTls } from '../../src/controllers/backend-tls.ts';
import type { KubeObject, Service } from '../../src/k8s/types.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { ca, leaf, loaded } from '../fixtures/tls-fixtures.ts';

const GOOD_CA = ca('upstream good CA');
const OTHER_CA = ca('upstream other CA');
const BACKEND = leaf(GOOD_CA, ['backend.test', 'default-sni.default.svc.cluster.local']);

function service(name: string, port: number, annotations: Record<string, string>, appProtocol?: string): string {
  return docs(
    stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'default', annotations },
      spec: { ports: [{ name: 'https', port: 443, ...(appProtocol === undefined ? {} : { appProtocol }) }] },
    }),
    stringify({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace: 'default' },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port }] }],
    }),
  );
}

function routes(names: readonly string[]): string {
  return stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'upstreams', namespace: 'default' },
    spec: {
      rules: names.map((n) => ({
        host: `${n}.test`,
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: n, port: { number: 443 } } } }] },
      })),
    },
  });
}

test('upstream TLS: verified against a Secret or ConfigMap CA, SNI from the Service name or the annotation, verification off only when asked', async (t) => {
  const backend = createServer({ cert: BACKEND.certPem + GOOD_CA.certPem, key: BACKEND.keyPem }, (req, res) => {
    res.end(`tls ${(req.socket as TLSSocket).servername} ${req.headers.host}`);
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => closeServer(backend as unknown as import('node:http').Server));
  const address = backend.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  const names = ['good', 'wrong', 'noverify', 'default-sni', 'annotated', 'missing-ca', 'plain'];
  const sni = { 'edgeway.io/backend-tls-server-name': 'backend.test' };
  const yaml = docs(
    INGRESS_CLASS,
    stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'good-ca', namespace: 'default' }, stringData: { 'ca.crt': GOOD_CA.certPem } }),
    stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other-ca', namespace: 'default' }, data: { 'ca.crt': OTHER_CA.certPem } }),
    service('good', port, { ...sni, 'edgeway.io/backend-tls-ca': 'secret:default/good-ca' }, 'https'),
    service('wrong', port, { ...sni, 'edgeway.io/backend-tls-ca': 'configmap:default/other-ca' }, 'https'),
    service('noverify', port, { ...sni, 'edgeway.io/backend-tls-verify': 'false' }, 'https'),
    service('default-sni', port, { 'edgeway.io/backend-tls-ca': 'good-ca' }, 'https'),
    service('annotated', port, { ...sni, 'edgeway.io/backend-protocol': 'HTTPS', 'edgeway.io/backend-tls-ca': 'default/good-ca' }),
    service('missing-ca', port, { ...sni, 'edgeway.io/backend-tls-ca': 'secret:default/nope' }, 'https'),
    service('plain', port, {}),
    routes(names),
  );
  const running = await startEdgeway(t, yaml);
  const get = (name: string) => httpGet(`${running.url}/`, { host: `${name}.test` });

  const good = await get('good');
  t.is(good.status, 200);
  t.is(good.text, 'tls backend.test good.test', "SNI from the annotation; Host stays the client's");
  const wrong = await get('wrong');
  t.is(wrong.status, 502, 'same address as "good", other CA: a pool of its own that fails verification');
  t.is(wrong.headers['x-edgeway-error'], 'EDGEWAY_UPSTREAM_TLS');
  t.is((await get('good')).status, 200, 'and "good" is unaffected');
  t.is((await get('noverify')).status, 200);
  const defaultSni = await get('default-sni');
  t.is(defaultSni.status, 200);
  t.is(defaultSni.text, 'tls default-sni.default.svc.cluster.local default-sni.test');
  t.is((await get('annotated')).status, 200, 'edgeway.io/backend-protocol: HTTPS without appProtocol');
  const missing = await get('missing-ca');
  t.is(missing.status, 502, 'a missing CA fails closed');
  t.is(missing.headers['x-edgeway-error'], 'EDGEWAY_UPSTREAM_TLS');
  t.is((await get('plain')).status, 502, 'plain HTTP to a TLS port is not answered');

  const status = JSON.parse((await httpGet(`${running.adminUrl}/config/status`)).text) as { diagnostics: { code: string; object: string; field: string }[] };
  t.true(
    status.diagnostics.some(
      (d) =>
        d.code === 'EW_BACKEND_TLS_CA_MISSING' && d.object === 'Service default/missing-ca' && d.field === 'metadata.annotations.edgeway.io/backend-tls-ca',
    ),
    JSON.stringify(status.diagnostics),
  );
});

test('backendTls: when a port is TLS, its server name, CA and verification, and pool keys that tell CAs apart', (t) => {
  const objects: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'ca', namespace: 'default' },
      data: { 'ca.crt': Buffer.from(GOOD_CA.certPem).toString('base64') },
    } as KubeObject,
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ca', namespace: 'certs' }, stringData: { 'ca.crt': OTHER_CA.certPem } } as KubeObject,
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bundle', namespace: 'default' }, data: { 'ca.crt': 'not a certificate' } } as KubeObject,
  ];
  const store = new ObjectStore(objects.map((o) => loaded(o)));
  const svc = (annotations: Record<string, string>): Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: 'default', annotations },
    spec: { ports: [{ port: 443 }] },
  });
  const table: readonly [
    annotations: Record<string, string>,
    appProtocol: string | undefined,
    expected: { servername: string; verify: boolean; ca: 'good' | 'other' | null; code?: string } | null,
  ][] = [
    [{}, undefined, null],
    [{}, 'http', null],
    [{}, 'HTTPS', { servername: 'api.default.svc.cluster.local', verify: true, ca: null }],
    [{ 'edgeway.io/backend-protocol': 'HTTPS' }, undefined, { servername: 'api.default.svc.cluster.local', verify: true, ca: null }],
    [{ 'nginx.ingress.kubernetes.io/backend-protocol': 'https' }, undefined, { servername: 'api.default.svc.cluster.local', verify: true, ca: null }],
    [{ 'edgeway.io/backend-protocol': 'HTTP' }, undefined, null],
    [{ 'edgeway.io/backend-tls-server-name': 'api.internal' }, 'https', { servername: 'api.internal', verify: true, ca: null }],
    [{ 'edgeway.io/backend-tls-verify': 'false' }, 'https', { servername: 'api.default.svc.cluster.local', verify: false, ca: null }],
    [{ 'edgeway.io/backend-tls-ca': 'ca' }, 'https', { servername: 'api.default.svc.cluster.local', verify: true, ca: 'good' }],
    [{ 'edgeway.io/backend-tls-ca': 'secret:certs/ca' }, 'https', { servername: 'api.default.svc.cluster.local', verify: true, ca: 'other' }],
    [
      { 'edgeway.io/backend-tls-ca': 'configmap:default/bundle' },
      'https',
      { servername: 'api.default.svc.cluster.local', verify: true, ca: null, code: 'EW_BACKEND_TLS_CA_INVALID' },
    ],
    [
      { 'edgeway.io/backend-tls-ca': 'configmap:default/absent' },
      'https',
      { servername: 'api.default.svc.cluster.local', verify: true, ca: null, code: 'EW_BACKEND_TLS_CA_MISSING' },
    ],
    [
      { 'edgeway.io/backend-tls-ca': 'bad ref!' },
      'https',
      { servername: 'api.default.svc.cluster.local', verify: true, ca: null, code: 'EW_BACKEND_TLS_CA_INVALID' },
    ],
  ];
  const keys = new Set<string>();
  for (const [annotations, appProtocol, expected] of table) {
    const label = `${JSON.stringify(annotations)} ${appProtocol}`;
    const result = backendTls(store, loaded(svc(annotations)), appProtocol);
    if (expected === null) {
      t.is(result.tls, null, label);
      continue;
    }
    t.is(result.tls?.servername, expected.servername, label);
    t.is(result.tls?.verify, expected.verify, label);
    t.is(result.tls?.ca ?? null, expected.ca === null ? null : (expected.ca === 'good' ? GOOD_CA : OTHER_CA).certPem.trim() + '\n', label);
    t.deepEqual(
      result.diagnostics.map((d) => [d.code, d.field]),
      expected.code === undefined ? [] : [[expected.code, 'metadata.annotations.edgeway.io/backend-tls-ca']],
      label,
    );
    if (result.tls !== null && expected.code === undefined) keys.add(result.tls.key);
  }
  t.is(keys.size, 5, 'default, server name, no-verify, and each CA give distinct pool keys');
});

test('upgrades to a TLS endpoint: the WebSocket tunnel runs over verified TLS; a certificate the CA does not vouch for is a 502', async (t) => {
  const { WebSocketServer } = await import('ws');
  const server = createServer({ cert: BACKEND.certPem + GOOD_CA.certPem, key: BACKEND.keyPem });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, { binary })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    return closeServer(server as unknown as import('node:http').Server);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const sni = { 'edgeway.io/backend-tls-server-name': 'backend.test' };
  const running = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'good-ca', namespace: 'default' }, stringData: { 'ca.crt': GOOD_CA.certPem } }),
      stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other-ca', namespace: 'default' }, data: { 'ca.crt': OTHER_CA.certPem } }),
      service('good', port, { ...sni, 'edgeway.io/backend-tls-ca': 'secret:default/good-ca' }, 'https'),
      service('wrong', port, { ...sni, 'edgeway.io/backend-tls-ca': 'configmap:default/other-ca' }, 'https'),
      routes(['good', 'wrong']),
    ),
  );
  const ws = await openWebSocket(t, `ws://127.0.0.1:${running.port}/chat`, 'good.test');
  t.is(await roundTrip(ws, 'over tls'), 'over tls');
  const refused = await openWebSocket(t, `ws://127.0.0.1:${running.port}/chat`, 'wrong.test').catch((e: { status: number; code: string }) => e);
  t.like(refused, { status: 502, code: 'EDGEWAY_UPGRADE_FAILED' });
});
