/**
 * Kubernetes Service semantics through the whole gateway, on real sockets: selectors and readiness, named
 * targetPorts per pod, selectorless Services with EndpointSlices, ExternalName off and on, default backends and
 * IngressClass selection.
 */
import test from 'ava';
import { startEdgeway } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, settings } from '../helpers/manifests.ts';
import { listen } from '../helpers/servers.ts';

/** A backend that answers with its own name. */
async function named(t: Parameters<typeof listen>[0], name: string) {
  return listen(t, (req, res) => res.end(JSON.stringify({ name, host: req.headers.host })));
}

function pod(name: string, port: number, opts: { ready?: boolean; terminating?: boolean; labels?: string; portName?: string } = {}): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: ${opts.labels ?? '{ app: web }'}
${opts.terminating ? '  deletionTimestamp: "2026-01-01T00:00:00Z"\n' : ''}spec:
  containers:
    - name: c
      ports:
        - name: ${opts.portName ?? 'web'}
          containerPort: ${port}
status:
  podIP: 127.0.0.1
  conditions:
    - type: Ready
      status: "${opts.ready === false ? 'False' : 'True'}"
`;
}

const WEB_SERVICE = `apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports:
    - name: http
      port: 80
      targetPort: web
`;

async function names(url: string, host: string, count: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const reply = await httpGet(url, { host });
    const { name } = JSON.parse(reply.text) as { name: string };
    seen.set(name, (seen.get(name) ?? 0) + 1);
  }
  return seen;
}

test('a selector picks ready pods, resolves the named targetPort per pod, and skips not-ready, terminating and unnamed ones', async (t) => {
  const [a, b, notReady, terminating, other, noName] = await Promise.all(
    ['a', 'b', 'not-ready', 'terminating', 'other-app', 'no-name'].map((n) => named(t, n)),
  );
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      WEB_SERVICE,
      pod('a', a!.port),
      pod('b', b!.port),
      pod('not-ready', notReady!.port, { ready: false }),
      pod('terminating', terminating!.port, { terminating: true }),
      pod('other-app', other!.port, { labels: '{ app: other }' }),
      pod('no-name', noName!.port, { portName: 'metrics' }),
      ingress('web', [{ host: 'web.test', path: '/', service: 'web' }]),
    ),
  );
  const seen = await names(`${gw.url}/`, 'web.test', 10);
  t.deepEqual([...seen.keys()].sort(), ['a', 'b']);
  t.is(seen.get('a'), 5, 'round robin alternates');
  t.true(gw.reports.some((line) => line.includes('EW_TARGETPORT_UNRESOLVED') && line.includes('no-name')));
});

test('publishNotReadyAddresses routes to not-ready pods too', async (t) => {
  const notReady = await named(t, 'not-ready');
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      WEB_SERVICE.replace('spec:\n', 'spec:\n  publishNotReadyAddresses: true\n'),
      pod('not-ready', notReady.port, { ready: false }),
      ingress('web', [{ host: 'web.test', path: '/', service: 'web' }]),
    ),
  );
  t.is((await httpGet(`${gw.url}/`, { host: 'web.test' })).status, 200);
});

test('a selectorless Service uses its EndpointSlices, honouring the ready condition', async (t) => {
  const [ready, notReady] = await Promise.all([named(t, 'ready'), named(t, 'not-ready')]);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      `apiVersion: v1
kind: Service
metadata: { name: sliced }
spec:
  ports: [{ name: http, port: 80 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: sliced-1
  labels: { kubernetes.io/service-name: sliced }
addressType: IPv4
ports: [{ name: http, port: ${ready.port} }]
endpoints:
  - addresses: [127.0.0.1]
    conditions: { ready: true }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: sliced-2
  labels: { kubernetes.io/service-name: sliced }
addressType: IPv4
ports: [{ name: http, port: ${notReady.port} }]
endpoints:
  - addresses: [127.0.0.1]
    conditions: { ready: false }
`,
      ingress('web', [{ host: 'sliced.test', path: '/', service: 'sliced' }]),
    ),
  );
  const seen = await names(`${gw.url}/`, 'sliced.test', 4);
  t.deepEqual([...seen.keys()], ['ready']);
});

const externalService = (port: number) => `apiVersion: v1
kind: Service
metadata: { name: outside }
spec:
  type: ExternalName
  externalName: localhost
  ports: [{ name: http, port: ${port} }]
`;

test('ExternalName is refused by default and says how to enable it', async (t) => {
  const target = await named(t, 'external');
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      externalService(target.port),
      ingress('web', [{ host: 'ext.test', path: '/', service: 'outside' }]).replace('number: 80', `number: ${target.port}`),
    ),
  );
  const reply = await httpGet(`${gw.url}/`, { host: 'ext.test' });
  t.is(reply.status, 503);
  t.true(gw.reports.some((line) => line.includes('EW_EXTERNALNAME_DISABLED')));
});

test('ExternalName, when enabled, resolves the name and sends its Host', async (t) => {
  const target = await named(t, 'external');
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      externalService(target.port),
      ingress('web', [{ host: 'ext.test', path: '/', service: 'outside' }]).replace('number: 80', `number: ${target.port}`),
      settings('externalName:\n  enabled: true'),
    ),
  );
  const reply = await httpGet(`${gw.url}/`, { host: 'ext.test' });
  t.is(reply.status, 200);
  t.deepEqual(JSON.parse(reply.text), { name: 'external', host: `localhost:${target.port}` });
});

test('default backends: the Ingress one, else the settings one, else 404; other classes are ignored', async (t) => {
  const [fallback, global, other] = await Promise.all([named(t, 'ingress-default'), named(t, 'settings-default'), named(t, 'other')]);
  const service = (name: string, port: number) => `apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  ports: [{ name: http, port: 80 }]
---
apiVersion: v1
kind: Endpoints
metadata: { name: ${name} }
subsets:
  - addresses: [{ ip: 127.0.0.1 }]
    ports: [{ name: http, port: ${port} }]
`;
  const withDefault = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: with-default }
spec:
  defaultBackend:
    service: { name: fallback, port: { number: 80 } }
`;
  const foreign = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: someone-else }
spec: { controller: example.com/other }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: foreign }
spec:
  ingressClassName: someone-else
  rules:
    - host: foreign.test
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: other, port: { number: 80 } } } }
`;
  const base = docs(INGRESS_CLASS, service('fallback', fallback.port), service('global', global.port), service('other', other.port), foreign);
  const gw1 = await startEdgeway(t, docs(base, withDefault, settings('defaultBackend:\n  service: { namespace: default, name: global, port: 80 }')));
  t.is(JSON.parse((await httpGet(`${gw1.url}/x`, { host: 'anything.test' })).text).name, 'ingress-default');
  t.is(JSON.parse((await httpGet(`${gw1.url}/x`, { host: 'foreign.test' })).text).name, 'ingress-default', 'a foreign-class Ingress is not served');

  const gw2 = await startEdgeway(t, docs(base, settings('defaultBackend:\n  service: { namespace: default, name: global, port: 80 }')));
  t.is(JSON.parse((await httpGet(`${gw2.url}/x`, { host: 'anything.test' })).text).name, 'settings-default');

  const gw3 = await startEdgeway(t, base);
  t.is((await httpGet(`${gw3.url}/x`, { host: 'anything.test' })).status, 404);
});
