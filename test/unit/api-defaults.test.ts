/**
 * Defaulting on create, per kind, as tables: what the API server fills in, what it leaves alone, and that the input
 * is never changed. Ingress classes come from a lookup; two default classes refuse a class-less Ingress (403).
 */
import test from 'ava';
import { defaultObject } from '../../src/api/defaults/default-object.ts';
import { defaultIngressClassRefusal } from '../../src/api/defaults/ingress-defaults.ts';
import { pullPolicy } from '../../src/api/defaults/pod-defaults.ts';
import type { KindEntry } from '../../src/k8s/kind-entry.ts';
import { kindEntryOf } from '../../src/k8s/kinds.ts';
import type { KubeObject } from '../../src/k8s/types.ts';

function entry(kind: string): KindEntry {
  const e = kindEntryOf(kind);
  if (e === undefined) throw new Error(kind);
  return e;
}

const none = (): readonly KubeObject[] => [];

function svc(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec };
}

const SERVICE_CASES: readonly { name: string; spec: Record<string, unknown>; want: Record<string, unknown> }[] = [
  {
    name: 'a bare ClusterIP Service',
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    want: {
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    },
  },
  {
    name: 'given values are kept; a named targetPort stays',
    spec: { type: 'NodePort', ports: [{ port: 80, protocol: 'UDP', targetPort: 'http' }], internalTrafficPolicy: 'Local' },
    want: {
      type: 'NodePort',
      ports: [{ port: 80, protocol: 'UDP', targetPort: 'http' }],
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Local',
      externalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    },
  },
  {
    name: 'LoadBalancer allocates node ports by default',
    spec: { type: 'LoadBalancer', ports: [{ port: 443, targetPort: 0 }] },
    want: {
      type: 'LoadBalancer',
      ports: [{ port: 443, targetPort: 443, protocol: 'TCP' }],
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      externalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true,
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    },
  },
  {
    name: 'ExternalName gets no traffic policy nor IP family',
    spec: { type: 'ExternalName', externalName: 'example.com' },
    want: { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' },
  },
  {
    name: 'ClientIP affinity gets the 3 hour timeout; an IPv6 clusterIP gives IPv6',
    spec: { sessionAffinity: 'ClientIP', clusterIP: 'fd00::10', ports: [{ port: 80 }] },
    want: {
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
      clusterIP: 'fd00::10',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv6'],
    },
  },
  {
    name: 'headless without selector: no IP family',
    spec: { clusterIP: 'None', ports: [{ port: 80 }] },
    want: {
      clusterIP: 'None',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
    },
  },
];

for (const c of SERVICE_CASES) {
  test(`defaultObject Service: ${c.name}`, (t) => {
    const input = svc(c.spec);
    const before = structuredClone(input);
    const out = defaultObject(entry('Service'), input, none);
    t.deepEqual(out['spec'], c.want);
    t.deepEqual(input, before, 'the input is not changed');
  });
}

test('defaultObject Pod: pod spec and container defaults', (t) => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      containers: [
        { name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] },
        { name: 'd', image: 'r.io/x:1.2', imagePullPolicy: 'Never' },
      ],
    },
  };
  t.deepEqual(defaultObject(entry('Pod'), pod, none)['spec'], {
    containers: [
      {
        name: 'c',
        image: 'nginx',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'Always',
      },
      { name: 'd', image: 'r.io/x:1.2', imagePullPolicy: 'Never', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
    enableServiceLinks: true,
    securityContext: {},
  });
});

test('pullPolicy: latest or untagged pull always; a tag or digest if not present', (t) => {
  const cases: [string, 'Always' | 'IfNotPresent'][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v1', 'IfNotPresent'],
    ['nginx@sha256:abc', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) t.is(pullPolicy(image), want, image);
});

test('defaultObject Deployment: replicas, strategy, history, deadline and the template', (t) => {
  const d: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'a:1' }] } },
    },
  };
  const spec = defaultObject(entry('Deployment'), d, none)['spec'] as Record<string, unknown>;
  t.is(spec['replicas'], 1);
  t.is(spec['revisionHistoryLimit'], 10);
  t.is(spec['progressDeadlineSeconds'], 600);
  t.deepEqual(spec['strategy'], { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  t.is((spec['template'] as { spec: Record<string, unknown> }).spec['restartPolicy'], 'Always');
});

test('defaultObject: Secret type, EndpointSlice and Endpoints port protocols, Namespace finalizer, ConfigMap untouched', (t) => {
  t.is(defaultObject(entry('Secret'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }, none)['type'], 'Opaque');
  const slice = defaultObject(
    entry('EndpointSlice'),
    { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's' }, addressType: 'IPv4', ports: [{ port: 80 }] },
    none,
  );
  t.deepEqual(slice['ports'], [{ port: 80, protocol: 'TCP' }]);
  const ep = defaultObject(entry('Endpoints'), { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' }, subsets: [{ ports: [{ port: 80 }] }] }, none);
  t.deepEqual(ep['subsets'], [{ ports: [{ port: 80, protocol: 'TCP' }] }]);
  t.deepEqual(defaultObject(entry('Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } }, none)['spec'], {
    finalizers: ['kubernetes'],
  });
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
  t.deepEqual(defaultObject(entry('ConfigMap'), cm, none), cm);
});

function ingressClass(name: string, isDefault: boolean): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    spec: { controller: 'edgeway.io/ingress-controller' },
  };
}

const INGRESS_CASES: readonly {
  name: string;
  classes: KubeObject[];
  ingress: Record<string, unknown>;
  annotations?: Record<string, string>;
  want: unknown;
  refused: boolean;
}[] = [
  { name: 'one default class is written in', classes: [ingressClass('a', false), ingressClass('edgeway', true)], ingress: {}, want: 'edgeway', refused: false },
  { name: 'no default class: left absent', classes: [ingressClass('a', false)], ingress: {}, want: undefined, refused: false },
  { name: 'a named class is kept', classes: [ingressClass('edgeway', true)], ingress: { ingressClassName: 'other' }, want: 'other', refused: false },
  {
    name: 'the legacy annotation counts as a class',
    classes: [ingressClass('edgeway', true)],
    ingress: {},
    annotations: { 'kubernetes.io/ingress.class': 'nginx' },
    want: undefined,
    refused: false,
  },
  { name: 'two defaults: refused, left absent', classes: [ingressClass('a', true), ingressClass('b', true)], ingress: {}, want: undefined, refused: true },
  {
    name: 'two defaults but a named class: fine',
    classes: [ingressClass('a', true), ingressClass('b', true)],
    ingress: { ingressClassName: 'a' },
    want: 'a',
    refused: false,
  },
];

for (const c of INGRESS_CASES) {
  test(`defaultObject Ingress: ${c.name}`, (t) => {
    const ing: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'default', ...(c.annotations ? { annotations: c.annotations } : {}) },
      spec: { ...c.ingress, defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
    };
    const lookup = (kind: string): readonly KubeObject[] => (kind === 'IngressClass' ? c.classes : []);
    t.is((defaultObject(entry('Ingress'), ing, lookup)['spec'] as Record<string, unknown>)['ingressClassName'], c.want);
    const refusal = defaultIngressClassRefusal(entry('Ingress'), ing, c.classes);
    if (!c.refused) {
      t.is(refusal, null);
      return;
    }
    t.is(refusal?.code, 403);
    t.is(refusal?.reason, 'Forbidden');
    t.is(refusal?.message, 'ingresses.networking.k8s.io "web" is forbidden: 2 default IngressClasses were found, only 1 allowed');
  });
}
