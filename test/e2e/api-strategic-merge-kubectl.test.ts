/**
 * Strategic merge patch compared with kubectl's own implementation: `kubectl patch --local --type strategic` merges
 * with the same library and Go type tags the API server uses, so for each object and patch here edgeway's result
 * must equal what kubectl prints. Runs the real kubectl (v1.32 on these machines) as a child with a timeout.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { applyStrategicPatch } from '../../src/api/patch/strategic-merge.ts';
import { tempDir } from '../helpers/edgeway.ts';

const run = promisify(execFile);

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
    volumes: [
      { name: 'data', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'x' } },
    ],
  },
};
const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { a: 'b' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
    template: {
      metadata: { labels: { a: 'b' } },
      spec: {
        containers: [
          { name: 'a', image: 'a:1', args: ['x'] },
          { name: 'b', image: 'b:1' },
        ],
      },
    },
  },
};
const INGRESS = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web' },
  spec: {
    rules: [{ host: 'a.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'a', port: { number: 80 } } } }] } }],
    tls: [{ hosts: ['a.example'], secretName: 'a' }],
  },
};
const SLICE = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 's', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }],
  ports: [{ name: 'http', port: 80 }],
};

const CASES: readonly [string, object, object][] = [
  ['Service port changed by port', SERVICE, { spec: { ports: [{ port: 443, targetPort: 9443 }] } }],
  ['Service port deleted', SERVICE, { spec: { ports: [{ port: 80, $patch: 'delete' }] } }],
  ['Service ports replaced', SERVICE, { spec: { ports: [{ $patch: 'replace' }, { port: 8000 }] } }],
  ['Service port with another protocol merges into the same port', SERVICE, { spec: { ports: [{ port: 80, protocol: 'UDP', name: 'dns' }] } }],
  ['selector merged', SERVICE, { spec: { selector: { app: 'api' } } }],
  ['labels merged and deleted', SERVICE, { metadata: { labels: { tier: null, env: 'prod' } } }],
  ['labels replaced', SERVICE, { metadata: { labels: { $patch: 'replace', only: 'this' } } }],
  ['labels deleted', SERVICE, { metadata: { labels: { $patch: 'delete' } } }],
  ['finalizers as a set', SERVICE, { metadata: { finalizers: ['b', 'c'] } }],
  ['finalizer removed', SERVICE, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }],
  ['finalizers ordered', SERVICE, { metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'], finalizers: ['c'] } }],
  ['ports ordered', SERVICE, { spec: { '$setElementOrder/ports': [{ port: 443 }, { port: 80 }], ports: [{ port: 443, name: 'tls' }] } }],
  ['ports ordered with a server-only port', SERVICE, { spec: { '$setElementOrder/ports': [{ port: 8000 }, { port: 80 }], ports: [{ port: 8000 }] } }],
  [
    'container image, env and ports',
    POD,
    {
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
  ],
  ['container deleted', POD, { spec: { containers: [{ name: 'side', $patch: 'delete' }] } }],
  ['env entry deleted', POD, { spec: { containers: [{ name: 'app', env: [{ name: 'A', $patch: 'delete' }] }] } }],
  ['containers ordered', POD, { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }], containers: [{ name: 'side', image: 's:2' }] } }],
  ['volume source replaced with $retainKeys', POD, { spec: { volumes: [{ name: 'data', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/d' } }] } }],
  [
    'template containers merged, one added',
    DEPLOYMENT,
    {
      spec: {
        replicas: 3,
        template: {
          spec: {
            containers: [
              { name: 'b', image: 'b:2' },
              { name: 'c', image: 'c' },
            ],
          },
        },
      },
    },
  ],
  ['strategy with $retainKeys', DEPLOYMENT, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }],
  ['container args replaced', DEPLOYMENT, { spec: { template: { spec: { containers: [{ name: 'a', args: ['y', 'z'] }] } } } }],
  ['selector matchLabels merged', DEPLOYMENT, { spec: { selector: { matchLabels: { c: 'd' } } } }],
  ['Ingress rules replaced', INGRESS, { spec: { rules: [{ host: 'b.example' }] } }],
  ['Ingress tls replaced', INGRESS, { spec: { tls: [{ hosts: ['b.example'] }] } }],
  ['EndpointSlice endpoints replaced', SLICE, { endpoints: [{ addresses: ['10.0.0.3'] }] }],
];

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

for (const [name, object, patch] of CASES) {
  test(`strategic merge equals kubectl patch --local: ${name}`, async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'object.json');
    await writeFile(file, JSON.stringify(object));
    const { stdout } = await run('kubectl', ['patch', '--local', '-f', file, '--type', 'strategic', '-p', JSON.stringify(patch), '-o', 'json'], {
      timeout: 30_000,
    });
    const ours = applyStrategicPatch((object as { kind: string }).kind, object, JSON.stringify(patch));
    t.true(ours.ok, ours.ok ? '' : ours.status.message);
    if (ours.ok) t.deepEqual(sorted(ours.value), sorted(JSON.parse(stdout)));
  });
}
