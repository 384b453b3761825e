/**
 * The request resolver (src/dataplane/request/resolve-request.ts), which plain requests and upgrades share, as a
 * table over a compiled and bound snapshot: host from Host or HTTP/2's `:authority`, absolute-form targets, path
 * normalisation, no route, unavailable and ExternalName backends, a fixed target, the canary split and the pick.
 */
import test from 'ava';
import type { IncomingMessage } from 'node:http';
import { loadConfigText } from '../../src/config/load-config.ts';
import { bindSnapshot, type BindRuntime } from '../../src/dataplane/bound-snapshot.ts';
import { EndpointStates } from '../../src/dataplane/health/endpoint-states.ts';
import { RequestRecord } from '../../src/dataplane/request/request-record.ts';
import { pickEndpoint, resolveRequest, type Resolution } from '../../src/dataplane/request/resolve-request.ts';
import { TrustedProxies } from '../../src/dataplane/request/trusted-proxies.ts';
import { UpstreamRegistry } from '../../src/dataplane/upstream/upstream-registry.ts';
import type { RouteTarget } from '../../src/routing/route-table.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { docs, ingress, INGRESS_CLASS, serviceWithEndpoints, settings } from '../helpers/manifests.ts';

const EXTERNAL = `apiVersion: v1
kind: Service
metadata:
  name: ext
  namespace: default
spec:
  type: ExternalName
  externalName: api.example.org
  ports:
    - port: 80
`;

function canary(): string {
  return ingress('web-canary', [{ host: 'app.test', path: '/', service: 'beta' }]).replace(
    '  namespace: default\n',
    '  namespace: default\n  annotations:\n    nginx.ingress.kubernetes.io/canary: "true"\n    nginx.ingress.kubernetes.io/canary-by-header: "X-Canary"\n',
  );
}

const YAML = docs(
  settings('externalName: {enabled: true}'),
  INGRESS_CLASS,
  serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: 8080 }]),
  serviceWithEndpoints('beta', [{ ip: '127.0.0.2', port: 8080 }]),
  serviceWithEndpoints('api', [{ ip: '127.0.0.3', port: 8080 }]),
  EXTERNAL,
  ingress('web', [
    { host: 'app.test', path: '/', service: 'web' },
    { host: 'app.test', path: '/api', service: 'api' },
    { host: 'app.test', path: '/gone', service: 'missing' },
    { host: 'ext.test', path: '/', service: 'ext' },
  ]),
  canary(),
);

function bound(t: { teardown(fn: () => unknown): void }) {
  const load = loadConfigText([{ path: 'edgeway.yaml', text: YAML }]);
  const snapshot = compileSnapshot(new ObjectStore(load.objects), load.settings, 1, undefined as never, new Date());
  const runtime: BindRuntime = {
    upstreams: new UpstreamRegistry(snapshot.settings.upstream),
    balancers: new Map(),
    states: new EndpointStates(snapshot.settings.outlierDetection),
    runtimes: new Map(),
  };
  t.teardown(() => runtime.upstreams.destroy());
  return bindSnapshot(snapshot, runtime);
}

/** A parsed request as node:http hands it over: only what the resolver reads. */
function request(url: string, raw: readonly string[], httpVersionMajor = 1): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[raw[i]!.toLowerCase()] ??= raw[i + 1]!;
  return {
    url,
    method: 'GET',
    rawHeaders: raw,
    headers,
    httpVersionMajor,
    httpVersionMinor: httpVersionMajor === 1 ? 1 : 0,
    socket: { remoteAddress: '::ffff:10.0.0.9' },
  } as unknown as IncomingMessage;
}

interface Row {
  readonly name: string;
  readonly url: string;
  readonly headers: readonly string[];
  readonly h2?: boolean;
  readonly want: Resolution;
  /** Expected record after resolving: normalised host and path, query, Ingress and Service. */
  readonly host?: string;
  readonly path?: string;
  readonly query?: string;
  readonly service?: string;
  readonly hostOverride?: string;
  /** The picked endpoint's address, or null when there is none to pick (ExternalName). */
  readonly picked?: string | null;
}

const ROWS: readonly Row[] = [
  {
    name: 'Host, plain path',
    url: '/x?a=1',
    headers: ['Host', 'App.Test:80'],
    want: null,
    host: 'app.test',
    path: '/x',
    query: '?a=1',
    service: 'default/web',
    picked: '127.0.0.1',
  },
  { name: 'longest prefix', url: '/api/v1', headers: ['Host', 'app.test'], want: null, path: '/api/v1', service: 'default/api', picked: '127.0.0.3' },
  {
    name: 'path normalised before matching (dot segments, encoded slash kept apart)',
    url: '/x/../api/./v1',
    headers: ['Host', 'app.test'],
    want: null,
    path: '/api/v1',
    service: 'default/api',
  },
  { name: 'path escaping the root', url: '/../../etc', headers: ['Host', 'app.test'], want: null, path: '/etc', service: 'default/web' },
  {
    name: 'HTTP/2 :authority stands in for Host',
    url: '/api',
    headers: [':authority', 'app.test'],
    h2: true,
    want: null,
    host: 'app.test',
    service: 'default/api',
  },
  {
    name: 'absolute-form naming the Host',
    url: 'http://app.test/api/x?q',
    headers: ['Host', 'app.test'],
    want: null,
    path: '/api/x',
    query: '?q',
    service: 'default/api',
  },
  { name: 'absolute-form naming another host', url: 'http://other.test/api', headers: ['Host', 'app.test'], want: 'EDGEWAY_HOST_AMBIGUOUS' },
  { name: 'absolute-form that is no http URL', url: 'ftp://app.test/x', headers: ['Host', 'app.test'], want: 'EDGEWAY_BAD_REQUEST' },
  { name: 'no Host: the empty host, which no rule names', url: '/', headers: [], want: 'EDGEWAY_NO_ROUTE', host: '' },
  { name: 'two Host lines', url: '/', headers: ['Host', 'app.test', 'host', 'other.test'], want: 'EDGEWAY_HOST_AMBIGUOUS' },
  {
    name: 'Transfer-Encoding not exactly chunked',
    url: '/',
    headers: ['Host', 'app.test', 'Transfer-Encoding', 'gzip, chunked'],
    want: 'EDGEWAY_FRAMING_AMBIGUOUS',
  },
  { name: 'no route for the host', url: '/', headers: ['Host', 'nowhere.test'], want: 'EDGEWAY_NO_ROUTE', host: 'nowhere.test' },
  { name: 'backend Service missing', url: '/gone', headers: ['Host', 'app.test'], want: 'EDGEWAY_BACKEND_UNAVAILABLE' },
  {
    name: 'ExternalName: its own Host, nothing to pick',
    url: '/',
    headers: ['Host', 'ext.test'],
    want: null,
    service: 'default/ext',
    hostOverride: 'api.example.org',
    picked: null,
  },
  { name: 'canary by header always', url: '/', headers: ['Host', 'app.test', 'X-Canary', 'always'], want: null, service: 'default/beta', picked: '127.0.0.2' },
  { name: 'canary by header never', url: '/', headers: ['Host', 'app.test', 'X-Canary', 'never'], want: null, service: 'default/web' },
];

test('resolveRequest and pickEndpoint: host, absolute-form, :authority, paths, no route, ExternalName, canary', (t) => {
  const b = bound(t);
  const trusted = new TrustedProxies([]);
  for (const row of ROWS) {
    const rec = new RequestRecord(request(row.url, row.headers, row.h2 === true ? 2 : 1), 'http', '80', 0);
    t.is(resolveRequest(rec, b, null, false), row.want, row.name);
    if (row.host !== undefined) t.is(rec.host, row.host, row.name);
    if (row.path !== undefined) t.is(rec.path, row.path, row.name);
    if (row.query !== undefined) t.is(rec.query, row.query, row.name);
    if (row.want !== null) continue;
    t.is(rec.target?.ingress, 'default/web', row.name);
    t.is(rec.backend?.backend.service, row.service, row.name);
    t.is(rec.hostOverride, row.hostOverride, row.name);
    const member = pickEndpoint(rec, rec.backend!, trusted);
    t.is(rec.clientIp, '10.0.0.9', row.name);
    if (row.picked !== undefined) t.is(member?.endpoint.address ?? null, row.picked, row.name);
  }
});

test('a fixed target (a Service listener) skips the routes; redirects only where the entrypoint redirects', (t) => {
  const b = bound(t);
  const web = b.snapshot.routes.match('app.test', '/')!;
  const { canary: _, ...plainWeb } = web;
  const fixed: RouteTarget = { ...plainWeb, ingress: 'service default/api', backendKey: web.backendKey!.replace('web', 'api') };
  const rec = new RequestRecord(request('/anything', ['Host', 'unrouted.test']), 'http', '80', 0);
  t.is(resolveRequest(rec, b, fixed, false), null);
  t.is(rec.backend?.backend.service, 'default/api');
  t.is(rec.ingress, 'service default/api');

  const redirecting: RouteTarget = { ...web, redirectToHttps: true };
  const plain = new RequestRecord(request('/x?y', ['Host', 'app.test']), 'http', '80', 0);
  t.is(resolveRequest(plain, b, redirecting, true), 'redirect');
  t.deepEqual([plain.host, plain.rawPath, plain.query], ['app.test', '/x', '?y']);
  t.is(resolveRequest(new RequestRecord(request('/x', ['Host', 'app.test']), 'http', '80', 0), b, redirecting, false), null);
  t.is(resolveRequest(new RequestRecord(request('/.well-known/acme-challenge/t', ['Host', 'app.test']), 'http', '80', 0), b, redirecting, true), null);
});
