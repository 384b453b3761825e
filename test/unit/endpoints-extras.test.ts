/**
 * What compilation adds to endpoints for balancing, health and locality: weights from Pod annotations or the
 * Service's endpoint-weights, probes from readinessProbe (named ports, tcpSocket) or the health-check annotation,
 * region from the Node, the policy from annotations and sessionAffinity, and federation of clusters.
 */
import test from 'ava';
import { loadConfigText } from '../../src/config/load-config.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { docs, ingress, INGRESS_CLASS } from '../helpers/manifests.ts';

function compile(yaml: string, clusters: { name: string; zone: string | null; region: string | null; yaml: string }[] = []) {
  const load = loadConfigText([{ path: 'c.yaml', text: yaml }]);
  const stores = clusters.map((c) => ({ ...c, store: new ObjectStore(loadConfigText([{ path: `${c.name}.yaml`, text: c.yaml }]).objects) }));
  return compileSnapshot(new ObjectStore(load.objects), load.settings, 1, undefined, undefined, stores);
}

const POD = (name: string, ip: string, extra: { annotations?: string; probe?: string; node?: string } = {}) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: default
  labels: {app: web}
${extra.annotations === undefined ? '' : `  annotations: ${extra.annotations}\n`}spec:
${extra.node === undefined ? '' : `  nodeName: ${extra.node}\n`}  containers:
    - name: web
      ports: [{name: http, containerPort: 8080}, {name: admin, containerPort: 9000}]
${extra.probe === undefined ? '' : `      readinessProbe: ${extra.probe}\n`}status:
  podIP: ${ip}
  phase: Running
  conditions: [{type: Ready, status: "True"}]
`;

const SERVICE = (annotations = '', spec = '') => `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
${annotations === '' ? '' : `  annotations: ${annotations}\n`}spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
${spec}`;

const NODE = `apiVersion: v1
kind: Node
metadata:
  name: n1
  labels: {topology.kubernetes.io/zone: z1, topology.kubernetes.io/region: r1}
`;

const ROUTE = ingress('web', [{ host: 'web.test', path: '/', service: 'web' }]);

test('weights, probes and regions from Pods and Nodes', (t) => {
  const snapshot = compile(
    docs(
      INGRESS_CLASS,
      ROUTE,
      SERVICE(),
      NODE,
      POD('a', '10.0.0.1', {
        annotations: '{edgeway.io/weight: "3"}',
        node: 'n1',
        probe: '{httpGet: {path: /ready, port: admin, httpHeaders: [{name: X-Probe, value: "1"}]}, periodSeconds: 2, failureThreshold: 4}',
      }),
      POD('b', '10.0.0.2', { probe: '{tcpSocket: {port: 8080}, timeoutSeconds: 3}' }),
      POD('c', '10.0.0.3', { annotations: '{edgeway.io/weight: "heavy"}' }),
    ),
  );
  const [a, b, c] = snapshot.backends.get('default/web:80')!.ready;
  t.is(a!.weight, 3);
  t.is(a!.zone, 'z1');
  t.is(a!.region, 'r1');
  t.deepEqual(a!.probe, {
    kind: 'http',
    scheme: 'http',
    port: 9000,
    path: '/ready',
    headers: [['X-Probe', '1']],
    intervalMs: 2000,
    timeoutMs: 1000,
    failureThreshold: 4,
    successThreshold: 1,
    source: 'readinessProbe',
  });
  t.deepEqual(b!.probe, {
    kind: 'tcp',
    scheme: 'http',
    port: 8080,
    path: '',
    headers: [],
    intervalMs: 10_000,
    timeoutMs: 3000,
    failureThreshold: 3,
    successThreshold: 1,
    source: 'readinessProbe',
  });
  t.is(c!.weight, undefined);
  t.is(c!.probe, undefined);
  const bad = snapshot.diagnostics.find((d) => d.code === 'EW_ANNOTATION_INVALID');
  t.is(bad?.field, 'metadata.annotations.edgeway.io/weight');
  t.is(bad?.object, 'Pod default/c');
});

test('policy from annotations; sessionAffinity ClientIP means ring-hash on the client address; locality from the spec', (t) => {
  const policy = (annotations: string, spec = '') => {
    const s = compile(docs(INGRESS_CLASS, ROUTE, SERVICE(annotations, spec), POD('a', '10.0.0.1')));
    return { ...s.backends.get('default/web:80')!, diagnostics: s.diagnostics.map((d) => d.code) };
  };
  t.like(policy(''), { policy: 'round-robin', distribution: 'PreferClose' });
  t.is(policy('').hashOn, undefined);
  t.like(policy('{edgeway.io/load-balancer: least-request}'), { policy: 'least-request' });
  t.like(policy('{edgeway.io/load-balancer: maglev, edgeway.io/hash-on: "cookie:sid"}'), { policy: 'maglev', hashOn: { kind: 'cookie', name: 'sid' } });
  t.like(policy('', '  sessionAffinity: ClientIP\n'), { policy: 'ring-hash', hashOn: { kind: 'client-ip' } });
  t.like(policy('', '  internalTrafficPolicy: Local\n'), { distribution: 'Local' });
  const bad = policy('{edgeway.io/load-balancer: fastest}');
  t.is(bad.policy, 'round-robin');
  t.true(bad.diagnostics.includes('EW_ANNOTATION_INVALID'));
});

test('the health-check annotation and endpoint-weights serve endpoints without Pods', (t) => {
  const snapshot = compile(
    docs(
      INGRESS_CLASS,
      ingress('api', [{ host: 'api.test', path: '/', service: 'api' }]),
      `apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: default
  annotations: {edgeway.io/health-check-path: /healthz, edgeway.io/health-check-interval: 250ms, edgeway.io/endpoint-weights: "10.0.0.1=5"}
spec:
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: api, namespace: default}
subsets:
  - addresses: [{ip: 10.0.0.1}, {ip: 10.0.0.2}]
    ports: [{name: http, port: 8080}]
`,
    ),
  );
  const [one, two] = snapshot.backends.get('default/api:80')!.ready;
  t.is(one!.weight, 5);
  t.is(two!.weight, undefined);
  t.like(one!.probe, { kind: 'http', port: 8080, path: '/healthz', intervalMs: 250, source: 'annotation' });
});

test('federation: the same Service in two clusters is one backend with the union of endpoints and cluster localities', (t) => {
  const remote = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: default}
subsets:
  - addresses: [{ip: 10.1.0.1}]
    ports: [{name: http, port: 8080}]
`;
  const snapshot = compile(docs(INGRESS_CLASS, ROUTE, SERVICE(), NODE, POD('a', '10.0.0.1', { node: 'n1' })), [
    { name: 'east', zone: 'e1', region: 're', yaml: remote },
    { name: 'empty', zone: 'x', region: 'x', yaml: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n' },
  ]);
  const backend = snapshot.backends.get('default/web:80')!;
  t.deepEqual(backend.clusters, ['local', 'east']);
  t.deepEqual(
    backend.ready.map((e) => [e.address, e.zone, e.region, e.cluster]),
    [
      ['10.0.0.1', 'z1', 'r1', undefined],
      ['10.1.0.1', 'e1', 're', 'east'],
    ],
  );
});
