/**
 * The kind registry (src/k8s/kinds.ts) and every list derived from it: the namespaced and cluster-scoped sets, the
 * validation rules, the admin API's resources and paths, the CLI's resource names and tables, and the status
 * decorators. A kind added to the registry shows up in all of them or one of these tests names what is missing.
 */
import test from 'ava';
import { parseApiPath, RESOURCES } from '../../src/api/server/api-paths.ts';
import { toTable } from '../../src/api/table/to-table.ts';
import { printTable, type Table } from '../../src/cli/kubectl/print-table.ts';
import { apiPath, resourceNamed } from '../../src/cli/kubectl/resource-names.ts';
import { KINDS, VALIDATION } from '../../src/config/validate/kinds.ts';
import { CLUSTER_SCOPED_KINDS, KIND_ENTRIES, kindEntryOf, NAMESPACED_KINDS } from '../../src/k8s/kinds.ts';
import { cellValue } from '../../src/k8s/printer-column.ts';
import type { KubeObject } from '../../src/k8s/types.ts';
import { STATUS_DECORATORS } from '../../src/status/with-status.ts';

const kinds = KIND_ENTRIES.map((e) => e.kind);

// What `kubectl api-resources` reports for each kind (EndpointSlice's `epslice` and IngressClass's `ingclass` are
// edgeway's own short names).
const EXPECTED: readonly (readonly [kind: string, apiVersion: string, plural: string, shortNames: string, categories: string, namespaced: boolean])[] = [
  ['Service', 'v1', 'services', 'svc', 'all', true],
  ['Endpoints', 'v1', 'endpoints', 'ep', '', true],
  ['Pod', 'v1', 'pods', 'po', 'all', true],
  ['Secret', 'v1', 'secrets', '', '', true],
  ['ConfigMap', 'v1', 'configmaps', 'cm', '', true],
  ['Node', 'v1', 'nodes', 'no', '', false],
  ['Namespace', 'v1', 'namespaces', 'ns', '', false],
  ['Ingress', 'networking.k8s.io/v1', 'ingresses', 'ing', '', true],
  ['IngressClass', 'networking.k8s.io/v1', 'ingressclasses', 'ingclass', '', false],
  ['EndpointSlice', 'discovery.k8s.io/v1', 'endpointslices', 'epslice', '', true],
  ['Deployment', 'apps/v1', 'deployments', 'deploy', 'all', true],
  ['IPAddressPool', 'metallb.io/v1beta1', 'ipaddresspools', '', '', true],
  ['Event', 'v1', 'events', 'ev', '', true],
];

test('the registry holds the facts kubectl reports for every kind', (t) => {
  t.deepEqual(
    kinds,
    EXPECTED.map(([kind]) => kind),
  );
  for (const [kind, apiVersion, plural, shortNames, categories, namespaced] of EXPECTED) {
    const e = kindEntryOf(kind)!;
    t.is(e.apiVersion, apiVersion, kind);
    t.is(e.group === '' ? e.version : `${e.group}/${e.version}`, apiVersion, kind);
    t.is(e.plural, plural, kind);
    t.is(e.singular, kind === 'Endpoints' ? 'endpoints' : kind.toLowerCase(), kind);
    t.is(e.shortNames.join(','), shortNames, kind);
    t.is(e.categories.join(','), categories, kind);
    t.is(e.namespaced, namespaced, kind);
  }
});

test('plurals, singulars and short names name one kind each', (t) => {
  const names = KIND_ENTRIES.flatMap((e) => [e.plural, ...(e.singular === e.plural ? [] : [e.singular]), ...e.shortNames]);
  t.deepEqual(
    names.filter((n, i) => names.indexOf(n) !== i),
    [],
  );
});

test('the namespaced and cluster-scoped sets are the registry split by scope', (t) => {
  t.deepEqual(
    [...NAMESPACED_KINDS],
    KIND_ENTRIES.filter((e) => e.namespaced).map((e) => e.kind),
  );
  t.deepEqual(
    [...CLUSTER_SCOPED_KINDS],
    KIND_ENTRIES.filter((e) => !e.namespaced).map((e) => e.kind),
  );
});

test('validation has a rule for every kind, with the registry apiVersion and scope', (t) => {
  t.deepEqual(Object.keys(VALIDATION).sort(), [...kinds].sort());
  t.deepEqual([...KINDS.keys()], kinds);
  for (const e of KIND_ENTRIES) {
    const rule = KINDS.get(e.kind)!;
    t.is(rule.apiVersion, e.apiVersion, e.kind);
    t.is(rule.namespaced, e.namespaced, e.kind);
    t.is(typeof rule.validate, 'function', e.kind);
  }
});

test('the admin API serves every kind at its group/version path', (t) => {
  t.deepEqual(
    RESOURCES.map((r) => r.kind),
    kinds,
  );
  for (const e of KIND_ENTRIES) {
    const collection = apiPath(e, e.namespaced ? 'default' : undefined, undefined);
    const one = apiPath(e, e.namespaced ? 'default' : undefined, 'x');
    t.is(parseApiPath(collection)?.resource, e, collection);
    t.deepEqual(parseApiPath(one), { resource: e, namespace: e.namespaced ? 'default' : undefined, name: 'x' }, one);
    t.is(parseApiPath(apiPath(e, undefined, undefined))?.resource, e, `${e.kind} in every namespace`);
  }
});

test('edgeway get resolves every plural, singular, kind and short name to its kind', (t) => {
  for (const e of KIND_ENTRIES) {
    for (const word of [e.plural, e.singular, e.kind, e.kind.toUpperCase(), ...e.shortNames]) t.is(resourceNamed(word), e, word);
  }
});

test('every kind has a status decorator', (t) => {
  t.deepEqual(Object.keys(STATUS_DECORATORS).sort(), [...kinds].sort());
  for (const kind of kinds) t.is(typeof STATUS_DECORATORS[kind], 'function', kind);
});

test('edgeway get prints the registry columns of every kind (the wide ones with -o wide), as kubectl does', (t) => {
  for (const e of KIND_ENTRIES) {
    const bare: KubeObject = { apiVersion: e.apiVersion, kind: e.kind, metadata: { name: 'x' }, spec: { selector: {}, template: {} } };
    const table = toTable(e, [bare], { wide: true, includeObject: 'Metadata', resourceVersion: '1' }) as unknown as Table;
    const header = (wide: boolean): string[] => printTable(table, { wide, withNamespace: false }).split('\n')[0]!.trim().split(/ {3,}/);
    t.deepEqual(
      header(false),
      e.printerColumns.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase()),
      e.kind,
    );
    t.deepEqual(
      header(true),
      e.printerColumns.map((c) => c.name.toUpperCase()),
      e.kind,
    );
  }
});

test('printer columns start with Name and every cell of a bare object can be computed', (t) => {
  for (const e of KIND_ENTRIES) {
    // The API server's Event table starts with LAST SEEN; its NAME is the last wide column.
    t.is(e.printerColumns[0]?.name, e.kind === 'Event' ? 'Last Seen' : 'Name', e.kind);
    const bare: KubeObject = { apiVersion: e.apiVersion, kind: e.kind, metadata: { name: 'x' }, spec: { selector: {}, template: {} } };
    for (const c of e.printerColumns) t.notThrows(() => cellValue(c, bare), `${e.kind} ${c.name}`);
  }
});

const cells = (kind: string, object: Omit<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Record<string, unknown> => {
  const e = kindEntryOf(kind)!;
  const o = { apiVersion: e.apiVersion, kind, metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z' }, ...object } as KubeObject;
  return Object.fromEntries(e.printerColumns.map((c) => [c.name, cellValue(c, o)]));
};

test('Pod STATUS: init progress, the last telling container state, Terminating', (t) => {
  const status = (status: object, spec: object = { containers: [{ name: 'a' }] }, metadata: object = { name: 'x' }): unknown =>
    cells('Pod', { metadata, spec, status })['Status'];
  t.is(status({ phase: 'Pending' }), 'Pending');
  t.is(status({ phase: 'Failed', reason: 'Evicted' }), 'Evicted');
  const init = { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] };
  t.is(status({ phase: 'Pending', initContainerStatuses: [{ state: { terminated: { exitCode: 0 } } }, { state: { running: {} } }] }, init), 'Init:1/2');
  t.is(status({ phase: 'Pending', initContainerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, init), 'Init:CrashLoopBackOff');
  t.is(status({ phase: 'Pending', initContainerStatuses: [{ state: { terminated: { exitCode: 2 } } }] }, init), 'Init:ExitCode:2');
  t.is(status({ phase: 'Running', containerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] }), 'CrashLoopBackOff');
  t.is(status({ phase: 'Running', containerStatuses: [{ state: { terminated: { signal: 9 } } }] }), 'Signal:9');
  t.is(
    status({
      phase: 'Running',
      containerStatuses: [{ ready: true, state: { running: {} } }, { state: { terminated: { reason: 'Completed' } } }],
      conditions: [{ type: 'Ready', status: 'False' }],
    }),
    'NotReady',
  );
  t.is(
    status({ phase: 'Running', containerStatuses: [{ ready: true, state: { running: {} } }] }, undefined, {
      name: 'x',
      deletionTimestamp: '2026-01-01T00:00:00Z',
    }),
    'Terminating',
  );
});

test('computed columns read the object as kubectl prints it', (t) => {
  t.like(
    cells('Pod', {
      spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'n1' },
      status: {
        phase: 'Running',
        podIP: '10.0.0.5',
        containerStatuses: [
          { ready: true, restartCount: 2 },
          { ready: false, restartCount: 1 },
        ],
      },
    }),
    {
      Ready: '1/2',
      Status: 'Running',
      Restarts: '3',
      IP: '10.0.0.5',
      Node: 'n1',
    },
  );
  t.like(cells('Endpoints', { subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }] }), {
    Endpoints: '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...',
  });
  t.like(cells('EndpointSlice', { addressType: 'IPv4', ports: [{ port: 8080 }], endpoints: [{ addresses: ['10.0.0.1'] }] }), {
    AddressType: 'IPv4',
    Ports: '8080',
    Endpoints: '10.0.0.1',
  });
  t.like(
    cells('Node', {
      metadata: { name: 'n', labels: { 'node-role.kubernetes.io/control-plane': '' } },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    }),
    { Status: 'Ready', Roles: 'control-plane' },
  );
  t.like(cells('Deployment', { spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: {} }, status: { readyReplicas: 2 } }), {
    Ready: '2/3',
    'Up-to-date': '0',
    Selector: 'app=web',
  });
  t.like(cells('Secret', { type: 'Opaque', data: { a: 'eA==', b: 'eQ==' } }), { Type: 'Opaque', Data: '2' });
  t.like(cells('IngressClass', { spec: { controller: 'edgeway.dev/ingress' } }), { Controller: 'edgeway.dev/ingress', Parameters: '<none>' });
  t.like(cells('IPAddressPool', { spec: { addresses: ['127.240.0.0/24'], autoAssign: true } }), { 'Auto Assign': true, Addresses: ['127.240.0.0/24'] });
});
