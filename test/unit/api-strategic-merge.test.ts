/**
 * Strategic merge patch as a table, case by case as the API server merges them: Service ports by port, containers
 * by name, their ports by containerPort, env by name, conditions by type, atomic lists (Ingress rules, EndpointSlice
 * endpoints), finalizers as a set, and each directive ($patch delete/replace/merge, $deleteFromPrimitiveList,
 * $setElementOrder, $retainKeys); then the error answers.
 */
import test from 'ava';
import { applyStrategicPatch } from '../../src/api/patch/strategic-merge.ts';

const SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b'] },
  spec: {
    type: 'ClusterIP',
    selector: { app: 'web', track: 'stable' },
    ports: [
      { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
    ],
  },
};

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'app:1',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
      { name: 'side', image: 'side:1' },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
  },
  status: {
    conditions: [
      { type: 'Ready', status: 'False' },
      { type: 'Initialized', status: 'True' },
    ],
  },
};

const INGRESS = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web' },
  spec: { rules: [{ host: 'a.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'a', port: { number: 80 } } } }] } }] },
};

type Obj = Record<string, unknown>;
const CASES: readonly { name: string; kind: string; target: Obj; patch: Obj; want: (t: Obj) => unknown; pick: (o: Obj) => unknown }[] = [
  {
    name: 'Service ports merge by port: change one, keep the other',
    kind: 'Service',
    target: SERVICE,
    patch: { spec: { ports: [{ port: 443, targetPort: 9443 }] } },
    pick: (o) => (o['spec'] as Obj)['ports'],
    want: () => [
      { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 9443, protocol: 'TCP' },
    ],
  },
  {
    name: 'Service ports: a new port is appended',
    kind: 'Service',
    target: SERVICE,
    patch: { spec: { ports: [{ name: 'metrics', port: 9090 }] } },
    pick: (o) => ((o['spec'] as Obj)['ports'] as Obj[]).map((p) => p['port']),
    want: () => [80, 443, 9090],
  },
  {
    name: 'Service ports: $patch delete removes by key',
    kind: 'Service',
    target: SERVICE,
    patch: { spec: { ports: [{ port: 80, $patch: 'delete' }] } },
    pick: (o) => ((o['spec'] as Obj)['ports'] as Obj[]).map((p) => p['name']),
    want: () => ['https'],
  },
  {
    name: 'Service ports: $patch replace in the list replaces it',
    kind: 'Service',
    target: SERVICE,
    patch: { spec: { ports: [{ $patch: 'replace' }, { port: 8000 }] } },
    pick: (o) => (o['spec'] as Obj)['ports'],
    want: () => [{ port: 8000 }],
  },
  {
    name: 'a Service selector merges (it is atomic for server-side apply only)',
    kind: 'Service',
    target: SERVICE,
    patch: { spec: { selector: { app: 'api' } } },
    pick: (o) => (o['spec'] as Obj)['selector'],
    want: () => ({ app: 'api', track: 'stable' }),
  },
  {
    name: 'labels merge key by key; null deletes',
    kind: 'Service',
    target: SERVICE,
    patch: { metadata: { labels: { tier: null, env: 'prod' } } },
    pick: (o) => (o['metadata'] as Obj)['labels'],
    want: () => ({ app: 'web', env: 'prod' }),
  },
  {
    name: 'a map with $patch replace is replaced',
    kind: 'Service',
    target: SERVICE,
    patch: { metadata: { labels: { $patch: 'replace', only: 'this' } } },
    pick: (o) => (o['metadata'] as Obj)['labels'],
    want: () => ({ only: 'this' }),
  },
  {
    name: 'a map with $patch delete is left empty',
    kind: 'Service',
    target: SERVICE,
    patch: { metadata: { labels: { $patch: 'delete' } } },
    pick: (o) => (o['metadata'] as Obj)['labels'],
    want: () => ({}),
  },
  {
    name: '$patch merge is the default',
    kind: 'Service',
    target: SERVICE,
    patch: { metadata: { labels: { $patch: 'merge', x: 'y' } } },
    pick: (o) => (o['metadata'] as Obj)['labels'],
    want: () => ({ app: 'web', tier: 'front', x: 'y' }),
  },
  {
    name: 'finalizers merge as a set',
    kind: 'Service',
    target: SERVICE,
    patch: { metadata: { finalizers: ['b', 'c'] } },
    pick: (o) => (o['metadata'] as Obj)['finalizers'],
    want: () => ['a', 'b', 'c'],
  },
  {
    name: '$deleteFromPrimitiveList removes set members',
    kind: 'Service',
    target: SERVICE,
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
    pick: (o) => (o['metadata'] as Obj)['finalizers'],
    want: () => ['b'],
  },
  {
    name: '$setElementOrder orders a keyed list',
    kind: 'Service',
    target: SERVICE,
    patch: { spec: { '$setElementOrder/ports': [{ port: 443 }, { port: 80 }], ports: [{ port: 443, name: 'tls' }] } },
    pick: (o) => ((o['spec'] as Obj)['ports'] as Obj[]).map((p) => p['name']),
    want: () => ['tls', 'http'],
  },
  {
    name: 'containers merge by name, their env by name and ports by containerPort',
    kind: 'Pod',
    target: POD,
    patch: {
      spec: {
        containers: [
          {
            name: 'app',
            image: 'app:2',
            env: [
              { name: 'B', value: '3' },
              { name: 'C', value: '4' },
            ],
            ports: [{ containerPort: 80, name: 'http' }],
          },
        ],
      },
    },
    pick: (o) => ((o['spec'] as Obj)['containers'] as Obj[])[0],
    want: () => ({
      name: 'app',
      image: 'app:2',
      ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }],
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '3' },
        { name: 'C', value: '4' },
      ],
    }),
  },
  {
    name: 'a container deleted by name',
    kind: 'Pod',
    target: POD,
    patch: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } },
    pick: (o) => ((o['spec'] as Obj)['containers'] as Obj[]).map((c) => c['name']),
    want: () => ['app'],
  },
  {
    name: 'conditions merge by type',
    kind: 'Pod',
    target: POD,
    patch: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    pick: (o) => (o['status'] as Obj)['conditions'],
    want: () => [
      { type: 'Ready', status: 'True' },
      { type: 'Initialized', status: 'True' },
    ],
  },
  {
    name: 'volumes with $retainKeys drop the old volume source',
    kind: 'Pod',
    target: POD,
    patch: { spec: { volumes: [{ name: 'data', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/d' } }] } },
    pick: (o) => (o['spec'] as Obj)['volumes'],
    want: () => [{ name: 'data', hostPath: { path: '/d' } }],
  },
  {
    name: '$retainKeys with a null for a field outside the list',
    kind: 'Deployment',
    target: { kind: 'Deployment', spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } },
    pick: (o) => o['spec'],
    want: () => ({ strategy: { type: 'Recreate' } }),
  },
  {
    name: 'Ingress rules are atomic: the list is replaced',
    kind: 'Ingress',
    target: INGRESS,
    patch: { spec: { rules: [{ host: 'b.example' }] } },
    pick: (o) => (o['spec'] as Obj)['rules'],
    want: () => [{ host: 'b.example' }],
  },
  {
    name: 'EndpointSlice endpoints are atomic',
    kind: 'EndpointSlice',
    target: { kind: 'EndpointSlice', endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }] },
    patch: { endpoints: [{ addresses: ['10.0.0.3'] }] },
    pick: (o) => o['endpoints'],
    want: () => [{ addresses: ['10.0.0.3'] }],
  },
  {
    name: 'Deployment template containers merge by name',
    kind: 'Deployment',
    target: {
      kind: 'Deployment',
      spec: {
        replicas: 1,
        template: {
          spec: {
            containers: [
              { name: 'a', image: 'a:1' },
              { name: 'b', image: 'b:1' },
            ],
          },
        },
      },
    },
    patch: { spec: { replicas: 3, template: { spec: { containers: [{ name: 'b', image: 'b:2' }] } } } },
    pick: (o) => o['spec'],
    want: () => ({
      replicas: 3,
      template: {
        spec: {
          containers: [
            { name: 'a', image: 'a:1' },
            { name: 'b', image: 'b:2' },
          ],
        },
      },
    }),
  },
  {
    name: 'a list without a merge key is replaced (container args)',
    kind: 'Pod',
    target: { kind: 'Pod', spec: { containers: [{ name: 'a', args: ['x', 'y'] }] } },
    patch: { spec: { containers: [{ name: 'a', args: ['z'] }] } },
    pick: (o) => o['spec'],
    want: () => ({ containers: [{ name: 'a', args: ['z'] }] }),
  },
  {
    name: 'a new list on an empty target keeps no directives',
    kind: 'Service',
    target: { kind: 'Service', spec: {} },
    patch: { spec: { ports: [{ port: 80 }, { port: 81, $patch: 'delete' }] } },
    pick: (o) => (o['spec'] as Obj)['ports'],
    want: () => [{ port: 80 }],
  },
];

for (const c of CASES) {
  test(`strategic merge: ${c.name}`, (t) => {
    const before = structuredClone(c.target);
    const result = applyStrategicPatch(c.kind, c.target, JSON.stringify(c.patch));
    t.true(result.ok, result.ok ? '' : result.status.message);
    if (result.ok) t.deepEqual(c.pick(result.value as Obj), c.want(c.target));
    t.deepEqual(c.target, before, 'the target is not changed');
  });
}

test('strategic merge errors: not an object (400), no merge key (400), bad directive (400), outside $retainKeys (422)', (t) => {
  const cases: [string, number, string | RegExp][] = [
    ['[1]', 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['{', 400, /JSON/],
    ['{"spec":{"ports":[{"name":"x"}]}}', 400, 'map: {"name":"x"} does not contain declared merge key: port'],
    ['{"spec":{"$patch":"frob"}}', 400, /^Unknown patch type: frob/],
    ['{"spec":{"$retainKeys":["type"],"ports":[]}}', 422, 'the server rejected our request due to an error in our request'],
  ];
  for (const [body, code, message] of cases) {
    const result = applyStrategicPatch('Service', SERVICE, body);
    t.false(result.ok, body);
    if (result.ok) continue;
    t.is(result.status.code, code, body);
    if (typeof message === 'string') t.is(result.status.message, message);
    else t.regex(result.status.message, message);
  }
});

test('strategic merge: __proto__ stays a plain key', (t) => {
  const result = applyStrategicPatch('Service', SERVICE, '{"metadata":{"labels":{"__proto__":"x"}}}');
  t.true(result.ok);
  if (!result.ok) return;
  const labels = ((result.value as Obj)['metadata'] as Obj)['labels'] as Obj;
  t.true(Object.hasOwn(labels, '__proto__'));
  t.is(Object.getPrototypeOf(labels), Object.prototype);
});
