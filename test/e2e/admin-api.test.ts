/**
 * The Kubernetes-shaped object API: paths, label selectors and merge patches as tables; then reads over a real
 * admin listener (lists, single objects, status errors, Secrets without data, label selectors) and writes (token
 * required, Invalid with causes, AlreadyExists, Forbidden for file objects naming file and line, PATCH, DELETE)
 * that change routing and persist across a restart.
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseApiPath } from '../../src/api/server/api-paths.ts';
import { parseLabelSelector } from '../../src/api/query/label-selector-query.ts';
import { mergePatch } from '../../src/api/merge-patch.ts';
import { matchesLabelSelector } from '../../src/controllers/label-selector.ts';
import { Edgeway } from '../../src/edgeway.ts';
import { startEdgeway, tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen } from '../helpers/servers.ts';

const TOKEN = 'test-token-0123456789abcdef';

test('API paths', (t) => {
  const table: readonly [string, string | null][] = [
    ['/api/v1/services', 'Service * *'],
    ['/api/v1/namespaces/shop/services', 'Service shop *'],
    ['/api/v1/namespaces/shop/services/web', 'Service shop web'],
    ['/api/v1/namespaces', 'Namespace * *'],
    ['/api/v1/namespaces/shop', 'Namespace * shop'],
    ['/api/v1/nodes/node-1', 'Node * node-1'],
    ['/api/v1/namespaces/shop/nodes', null],
    ['/apis/networking.k8s.io/v1/ingresses', 'Ingress * *'],
    ['/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web', 'Ingress shop web'],
    ['/apis/networking.k8s.io/v1/ingressclasses', 'IngressClass * *'],
    ['/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices', 'EndpointSlice shop *'],
    ['/apis/networking.k8s.io/v1/services', null],
    ['/api/v2/services', null],
    ['/api/v1/namespaces/shop/services/web/extra', null],
    ['/api/v1/namespaces/shop/services/%2F', null],
  ];
  for (const [path, expected] of table) {
    const p = parseApiPath(path);
    t.is(p === null ? null : `${p.resource.kind} ${p.namespace ?? '*'} ${p.name ?? '*'}`, expected, path);
  }
});

test('label selectors: equality, set-based, existence', (t) => {
  const labels = { app: 'web', tier: 'front', env: 'prod' };
  const table: readonly [string, boolean | 'error'][] = [
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=db', false],
    ['missing!=x', true],
    ['env in (prod, staging)', true],
    ['env notin (prod)', false],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app=web,tier=front', true],
    ['app=web,env in (dev)', false],
    ['', true],
    ['app=we b', 'error'],
    ['in in in', 'error'],
  ];
  for (const [text, expected] of table) {
    const s = parseLabelSelector(text);
    t.is('error' in s ? 'error' : matchesLabelSelector(labels, s), expected, text);
  }
});

test('JSON merge patch (RFC 7386)', (t) => {
  t.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1] }, { b: { c: null, e: 4 }, l: [2], f: 'x' }), { a: 1, b: { d: 3, e: 4 }, l: [2], f: 'x' });
  t.deepEqual(mergePatch({ a: 1 }, { a: null }), {});
  t.deepEqual(mergePatch({ a: { b: 1 } }, { a: 'flat' }), { a: 'flat' });
});

test('JSON merge patch: a __proto__ key is copied as a plain key, never set as the prototype', (t) => {
  const patch: unknown = JSON.parse('{"__proto__": {"polluted": true}, "metadata": {"__proto__": {"admin": true}, "name": "x"}}');
  const merged = mergePatch({ metadata: { name: 'a' } } as Record<string, unknown>, patch);
  t.is(Object.getPrototypeOf(merged), Object.prototype);
  t.is((merged as { polluted?: unknown }).polluted, undefined);
  t.true(Object.hasOwn(merged, '__proto__'));
  t.deepEqual(Object.getOwnPropertyDescriptor(merged, '__proto__')?.value, { polluted: true });
  const metadata = merged['metadata'] as Record<string, unknown>;
  t.is(Object.getPrototypeOf(metadata), Object.prototype);
  t.is((metadata as { admin?: unknown }).admin, undefined);
  t.is(metadata['name'], 'x');
  t.true(Object.hasOwn(metadata, '__proto__'));
  t.is(({} as { polluted?: unknown }).polluted, undefined);
  // Deleting it with null works like any other key.
  t.false(Object.hasOwn(mergePatch(merged, JSON.parse('{"__proto__": null}')), '__proto__'));
});

const SECRET = `apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: shop, labels: {app: web}}
type: Opaque
data: {password: c2VjcmV0}
`;

function json<T = Record<string, unknown>>(text: string): T {
  return JSON.parse(text) as T;
}

test('reads: lists, single objects, Status errors, label selectors, Secrets without data', async (t) => {
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: 9 }], 'shop'),
      serviceWithEndpoints('db', [{ ip: '127.0.0.1', port: 9 }], 'data'),
      ingress('web', [{ host: 'web.test', path: '/', service: 'web' }], 'shop'),
      SECRET,
      'apiVersion: v1\nkind: Node\nmetadata: {name: node-1}\n',
    ),
  );
  const get = async (path: string) => {
    const r = await httpGet(gw.adminUrl + path);
    return { status: r.status, body: json<Record<string, any>>(r.text) };
  };
  const all = await get('/api/v1/services');
  t.is(all.status, 200);
  t.is(all.body['kind'], 'ServiceList');
  t.is(all.body['apiVersion'], 'v1');
  // The list's resourceVersion is the store's revision: every object took its own version at the first generation.
  t.regex(all.body['metadata'].resourceVersion, /^[1-9]\d*$/);
  t.deepEqual(all.body['items'].map((s: any) => `${s.metadata.namespace}/${s.metadata.name}`).sort(), ['data/db', 'default/kubernetes', 'shop/web']);
  t.deepEqual(
    (await get('/api/v1/namespaces/shop/services')).body['items'].map((s: any) => s.metadata.name),
    ['web'],
  );
  const one = await get('/api/v1/namespaces/shop/services/web');
  t.is(one.body['kind'], 'Service');
  t.true(Number(one.body['metadata'].resourceVersion) <= Number(all.body['metadata'].resourceVersion));
  t.is((await get('/apis/networking.k8s.io/v1/namespaces/shop/ingresses')).body['kind'], 'IngressList');
  t.is((await get('/apis/networking.k8s.io/v1/ingressclasses')).body['items'].length, 1);
  t.is((await get('/api/v1/nodes')).body['items'][0].metadata.name, 'node-1');
  t.is((await get('/api/v1/endpoints')).body['kind'], 'EndpointsList');
  t.is((await get('/apis/discovery.k8s.io/v1/endpointslices')).body['kind'], 'EndpointSliceList');

  const missing = await get('/api/v1/namespaces/shop/services/nope');
  t.is(missing.status, 404);
  t.like(missing.body, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
  t.is((await get('/api/v1/widgets')).body['reason'], 'NotFound');

  const secret = await get('/api/v1/namespaces/shop/secrets/creds');
  t.is(secret.status, 200);
  t.false('data' in secret.body);
  t.false((await httpGet(gw.adminUrl + '/api/v1/secrets')).text.includes('c2VjcmV0'));

  t.is((await get('/api/v1/secrets?labelSelector=app%3Dweb')).body['items'].length, 1);
  t.is((await get('/api/v1/secrets?labelSelector=app%20notin%20(web)')).body['items'].length, 0);
  const bad = await get('/api/v1/secrets?labelSelector=a%20b%20c%20d');
  t.is(bad.status, 400);
  t.is(bad.body['reason'], 'BadRequest');
});

test('without a token the API is read-only; POST /reload likewise stays open on loopback', async (t) => {
  const gw = await startEdgeway(t, docs(INGRESS_CLASS, serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: 9 }])));
  const r = await httpGet(`${gw.adminUrl}/api/v1/namespaces/default/services`, { 'content-type': 'application/json' }, 'POST', '{}');
  t.is(r.status, 403);
  t.like(json(r.text), { kind: 'Status', reason: 'Forbidden' });
  t.regex(json<{ message: string }>(r.text).message, /spec\.admin\.token/);
  t.is((await httpGet(`${gw.adminUrl}/api/v1/namespaces/default/services/web`, {}, 'DELETE')).status, 403);
  t.is((await httpGet(`${gw.adminUrl}/api/v1/namespaces/default/services/web`, {}, 'OPTIONS')).status, 405);
  t.is((await httpGet(`${gw.adminUrl}/reload`, {}, 'POST')).status, 200);
});

test('a non-loopback admin address without a token refuses to start', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'c.yaml');
  await writeFile(file, docs(INGRESS_CLASS, settings('reload: {watch: false}')));
  const err = await t.throwsAsync(
    Edgeway.start({
      configPaths: [file],
      overrides: { http: { host: '127.0.0.1', port: 0 }, admin: { host: '0.0.0.0', port: 0 }, stateDir: join(dir, 's'), logLevel: 'silent' },
      report: () => undefined,
    }),
  );
  t.is((err as NodeJS.ErrnoException).code, 'EW_ADMIN_NOT_LOOPBACK');
  t.regex(err!.message, /spec\.admin\.token/);
});

test('writes: token, Invalid, AlreadyExists, Forbidden for file objects, PATCH, DELETE; persisted across a restart', async (t) => {
  const backend = await listen(t, (_req, res) => res.end('from-api-backend'));
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`);
  await writeFile(
    file,
    docs(INGRESS_CLASS, settings(`reload: {watch: false}\nadmin: {tokenFile: ${tokenFile}}`), serviceWithEndpoints('filed', [{ ip: '127.0.0.1', port: 9 }])),
  );
  const start = async () => {
    const e = await Edgeway.start({
      configPaths: [file],
      overrides: { http: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, stateDir: join(dir, 'state'), logLevel: 'silent' },
      report: () => undefined,
    });
    t.teardown(() => e.close(0));
    return e;
  };
  let edgeway = await start();
  let admin = `http://127.0.0.1:${edgeway.adminPort}`;
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = auth) => {
    const r = await httpGet(admin + path, headers, method, body === undefined ? undefined : JSON.stringify(body));
    return { status: r.status, body: json<Record<string, any>>(r.text) };
  };

  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api-svc', labels: { made: 'api' } }, spec: { ports: [{ name: 'http', port: 80 }] } };
  t.is((await call('POST', '/api/v1/namespaces/default/services', service, { 'content-type': 'application/json' })).status, 401);
  t.is((await call('POST', '/api/v1/namespaces/default/services', service, { authorization: 'Bearer wrong-token-0123456789ab' })).status, 401);

  const created = await call('POST', '/api/v1/namespaces/default/services', service);
  t.is(created.status, 201);
  t.is(created.body['metadata'].namespace, 'default');
  t.truthy(created.body['metadata'].uid);
  const again = await call('POST', '/api/v1/namespaces/default/services', service);
  t.is(again.status, 409);
  t.is(again.body['reason'], 'AlreadyExists');

  const bad = await call('POST', '/api/v1/namespaces/default/services', { ...service, metadata: { name: 'bad' }, spec: { ports: [{ port: 70000 }] } });
  t.is(bad.status, 422);
  t.is(bad.body['reason'], 'Invalid');
  t.is(bad.body['details'].causes[0].field, 'spec.ports[0].port');

  const filed = await call('PUT', '/api/v1/namespaces/default/services/filed', { ...service, metadata: { name: 'filed' } });
  t.is(filed.status, 403);
  t.is(filed.body['reason'], 'Forbidden');
  t.true(filed.body['message'].includes(`${file}:`), filed.body['message']);
  t.is((await call('DELETE', '/api/v1/namespaces/default/services/filed')).body['reason'], 'Forbidden');

  // Endpoints and an Ingress through the API: the route serves.
  await call('POST', '/api/v1/namespaces/default/endpoints', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'api-svc' },
    subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port: backend.port }] }],
  });
  const ing = await call('POST', '/apis/networking.k8s.io/v1/namespaces/default/ingresses', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'api-ing' },
    spec: {
      rules: [{ host: 'api.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'api-svc', port: { number: 80 } } } }] } }],
    },
  });
  t.is(ing.status, 201);
  const http = () => `http://127.0.0.1:${edgeway.addresses[0]!.port}/`;
  t.is((await httpGet(http(), { host: 'api.test' })).text, 'from-api-backend');

  const patched = await httpGet(
    admin + '/api/v1/namespaces/default/services/api-svc',
    { ...auth, 'content-type': 'application/merge-patch+json' },
    'PATCH',
    JSON.stringify({ metadata: { labels: { made: null, patched: 'yes' } } }),
  );
  t.is(patched.status, 200);
  t.deepEqual(json<{ metadata: { labels: unknown } }>(patched.text).metadata.labels, { patched: 'yes' });
  const rv = json<{ metadata: { resourceVersion: string } }>(patched.text).metadata.resourceVersion;
  const stale = await call('PUT', '/api/v1/namespaces/default/services/api-svc', {
    ...service,
    metadata: { name: 'api-svc', resourceVersion: String(Number(rv) - 1) },
  });
  t.is(stale.status, 409);
  t.is(stale.body['reason'], 'Conflict');

  // Restart on the same state directory: the API objects are back and serving.
  await edgeway.close(0);
  edgeway = await start();
  admin = `http://127.0.0.1:${edgeway.adminPort}`;
  t.deepEqual((await call('GET', '/api/v1/namespaces/default/services/api-svc')).body['metadata'].labels, { patched: 'yes' });
  t.is((await httpGet(http(), { host: 'api.test' })).text, 'from-api-backend');

  const deleted = await call('DELETE', '/apis/networking.k8s.io/v1/namespaces/default/ingresses/api-ing');
  t.is(deleted.status, 200);
  t.is(deleted.body['metadata'].name, 'api-ing');
  t.is((await httpGet(http(), { host: 'api.test' })).status, 404);
  t.is((await call('GET', '/apis/networking.k8s.io/v1/namespaces/default/ingresses/api-ing')).status, 404);
  // A reload from the files keeps the API layer.
  t.true((await edgeway.reload('api')).ok);
  t.is((await call('GET', '/api/v1/namespaces/default/services/api-svc')).status, 200);
  // POST /reload needs the token once one is configured.
  t.is((await httpGet(admin + '/reload', {}, 'POST')).status, 401);
  t.is((await httpGet(admin + '/reload', { authorization: `Bearer ${TOKEN}` }, 'POST')).status, 200);
});
