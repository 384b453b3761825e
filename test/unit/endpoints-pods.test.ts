/**
 * Selector Services: which Pods become endpoints, at which port, with which conditions. Each case is a set of
 * objects and the endpoints expected, written `address:port flags` (R ready, S serving, T terminating).
 */
import test from 'ava';
import { resolveBackend } from '../../src/controllers/resolve-backend.ts';
import type { ResolvedEndpoint } from '../../src/controllers/resolved-endpoint.ts';
import type { KubeObject, Node, Service } from '../../src/k8s/types.ts';
import { pod, service, settings, storeOf } from '../fixtures/endpoints-fixtures.ts';

function brief(e: ResolvedEndpoint): string {
  return `${e.address}:${e.port} ${e.ready ? 'R' : '-'}${e.serving ? 'S' : '-'}${e.terminating ? 'T' : '-'}`;
}

function endpointsOf(objects: readonly KubeObject[], port: number | string = 80): string[] {
  const { resolution } = resolveBackend(storeOf(...objects), { namespace: 'default', name: 'web', port }, settings());
  if (resolution.kind !== 'endpoints') throw new Error(`expected endpoints, got ${resolution.kind}`);
  return resolution.endpoints.map(brief);
}

const web = (extra: Partial<Service['spec']> = {}): Service =>
  service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...extra });

interface Case {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  /** The backend reference's port; 80 unless given. */
  readonly port?: number | string;
  readonly expected: readonly string[];
}

const cases: readonly Case[] = [
  {
    name: 'pods matching every selector pair, in the same namespace',
    objects: [
      web({ selector: { app: 'web', tier: 'fe' } }),
      pod('a', { ip: '10.0.0.1', labels: { app: 'web', tier: 'fe', extra: 'x' } }),
      pod('b', { ip: '10.0.0.2', labels: { app: 'web' } }),
      pod('c', { ip: '10.0.0.3', labels: { app: 'web', tier: 'fe' }, namespace: 'other' }),
    ],
    expected: ['10.0.0.1:8080 RS-'],
  },
  {
    name: 'not-ready pods are listed but not ready',
    objects: [web(), pod('a', { ip: '10.0.0.1' }), pod('b', { ip: '10.0.0.2', ready: false })],
    expected: ['10.0.0.1:8080 RS-', '10.0.0.2:8080 ---'],
  },
  {
    name: 'publishNotReadyAddresses makes not-ready pods ready',
    objects: [web({ publishNotReadyAddresses: true }), pod('b', { ip: '10.0.0.2', ready: false })],
    expected: ['10.0.0.2:8080 RS-'],
  },
  {
    name: 'terminating pods are never ready; serving follows their Ready condition',
    objects: [web(), pod('a', { ip: '10.0.0.1', terminating: true }), pod('b', { ip: '10.0.0.2', terminating: true, ready: false })],
    expected: ['10.0.0.1:8080 -ST', '10.0.0.2:8080 --T'],
  },
  {
    name: 'terminating pods stay unready even with publishNotReadyAddresses',
    objects: [web({ publishNotReadyAddresses: true }), pod('a', { ip: '10.0.0.1', terminating: true, ready: false })],
    expected: ['10.0.0.1:8080 -ST'],
  },
  {
    name: 'pods without an IP, and finished pods, are left out',
    objects: [
      web(),
      pod('pending', {}),
      pod('done', { ip: '10.0.0.2', phase: 'Succeeded' }),
      pod('failed', { ip: '10.0.0.3', phase: 'Failed' }),
      pod('running', { ip: '10.0.0.4' }),
    ],
    expected: ['10.0.0.4:8080 RS-'],
  },
  {
    name: 'absent targetPort means the Service port',
    objects: [service('web', { selector: { app: 'web' }, ports: [{ port: 80 }] }), pod('a', { ip: '127.0.0.2' })],
    expected: ['127.0.0.2:80 RS-'],
  },
  {
    name: 'a numeric targetPort is used whatever the pod declares',
    objects: [web(), pod('a', { ip: '10.0.0.1', ports: [{ name: 'http', containerPort: 9999 }] })],
    expected: ['10.0.0.1:8080 RS-'],
  },
  {
    name: 'a named targetPort resolves per pod',
    objects: [
      web({ ports: [{ name: 'http', port: 80, targetPort: 'web' }] }),
      pod('a', { ip: '10.0.0.1', ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('b', {
        ip: '10.0.0.2',
        ports: [
          { name: 'metrics', containerPort: 9090 },
          { name: 'web', containerPort: 3000 },
        ],
      }),
    ],
    expected: ['10.0.0.1:8080 RS-', '10.0.0.2:3000 RS-'],
  },
  {
    name: 'a named targetPort must match the protocol too',
    objects: [
      web({ ports: [{ name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' }] }),
      pod('a', { ip: '10.0.0.1', ports: [{ name: 'dns', containerPort: 5353 }] }),
      pod('b', { ip: '10.0.0.2', ports: [{ name: 'dns', containerPort: 5300, protocol: 'UDP' }] }),
    ],
    port: 'dns',
    expected: ['10.0.0.2:5300 RS-'],
  },
  {
    name: 'loopback endpoints are allowed',
    objects: [web(), pod('a', { ip: '127.0.0.1' }), pod('b', { ip: '::1' })],
    expected: ['127.0.0.1:8080 RS-', '::1:8080 RS-'],
  },
];

for (const c of cases) {
  test(`pods: ${c.name}`, (t) => {
    t.deepEqual(endpointsOf(c.objects, c.port), c.expected);
  });
}

test('pods: a pod without the named port is left out with one warning at the targetPort field', (t) => {
  const svc = web({
    ports: [
      { name: 'http', port: 80, targetPort: 'web' },
      { name: 'other', port: 81, targetPort: 'web' },
    ],
  });
  const store = storeOf(
    svc,
    pod('a', { ip: '10.0.0.1', ports: [{ name: 'web', containerPort: 8080 }] }),
    pod('b', { ip: '10.0.0.2', ports: [{ name: 'http', containerPort: 8080 }] }),
  );
  const { resolution, diagnostics } = resolveBackend(store, { namespace: 'default', name: 'web', port: 81 }, settings());
  t.is(resolution.kind, 'endpoints');
  if (resolution.kind !== 'endpoints') return;
  t.deepEqual(resolution.endpoints.map(brief), ['10.0.0.1:8080 RS-']);
  t.is(resolution.servicePort, 81);
  t.is(diagnostics.length, 1);
  const [d] = diagnostics;
  t.like(d, {
    severity: 'warning',
    code: 'EW_TARGETPORT_UNRESOLVED',
    object: 'Service default/web',
    field: 'spec.ports[1].targetPort',
    // storeOf puts the Service at line 1; locate adds one line and two columns per path element.
    position: { file: 'endpoints.yaml', line: 5, column: 9 },
  });
  t.regex(d?.message ?? '', /Pod default\/b .*named 'web'/);
});

test('pods: zone from the Node label, node name, hostname and targetRef', (t) => {
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } },
  };
  const store = storeOf(
    web(),
    node,
    pod('a', { ip: '10.0.0.1', nodeName: 'n1', hostname: 'a', subdomain: 'web' }),
    pod('b', { ip: '10.0.0.2', nodeName: 'unknown-node', hostname: 'b', subdomain: 'elsewhere' }),
  );
  const { resolution } = resolveBackend(store, { namespace: 'default', name: 'web', port: 'http' }, settings());
  if (resolution.kind !== 'endpoints') return t.fail();
  t.deepEqual(resolution.endpoints, [
    { address: '10.0.0.1', port: 8080, ready: true, serving: true, terminating: false, targetRef: 'default/a', nodeName: 'n1', zone: 'zone-a', hostname: 'a' },
    { address: '10.0.0.2', port: 8080, ready: true, serving: true, terminating: false, targetRef: 'default/b', nodeName: 'unknown-node' },
  ]);
});

test('pods: an empty selector is a selectorless Service, not "all pods"', (t) => {
  const objects = [service('web', { selector: {}, ports: [{ port: 80 }] }), pod('a', { ip: '10.0.0.1' })];
  t.deepEqual(endpointsOf(objects), []);
});
