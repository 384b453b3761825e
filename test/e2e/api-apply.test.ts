/**
 * Server-side apply and managedFields as tables: the fieldsV1 shape, ownership after create, update, patch and
 * apply, conflicts between two managers (the API server's message and causes), shared ownership of equal values,
 * force, removal of fields a manager stops applying; then applyPatch's dispatch by content type.
 */
import test from 'ava';
import { applyPatch, trackUpdate, type PatchOptions } from '../../src/api/patch/apply-patch.ts';
import type { KindEntry } from '../../src/k8s/kind-entry.ts';
import { kindEntryOf } from '../../src/k8s/kinds.ts';
import type { KubeObject } from '../../src/k8s/types.ts';

function entry(kind: string): KindEntry {
  const e = kindEntryOf(kind);
  if (e === undefined) throw new Error(kind);
  return e;
}
const SERVICE = entry('Service');
const NOW = new Date('2026-01-02T03:04:05.678Z');
const opts = (fieldManager: string, force = false): PatchOptions => ({ fieldManager, force, now: NOW });

function service(spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '7', ...(labels ? { labels } : {}) },
    spec,
  };
}

type Entry = { manager: string; operation: string; apiVersion: string; time: string; fieldsType: string; fieldsV1: Record<string, unknown> };
const managed = (o: KubeObject): Entry[] => (o.metadata as { managedFields?: Entry[] }).managedFields ?? [];

function apply(live: KubeObject | null, manager: string, yaml: string, force = false): KubeObject {
  const result = applyPatch(SERVICE, live, 'application/apply-patch+yaml', yaml, opts(manager, force));
  if (!result.ok) throw new Error(result.status.message);
  return result.object;
}

const APPLIED = `
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
spec:
  selector: {app: web}
  ports:
  - port: 80
    protocol: TCP
    targetPort: 8080
`;

test('create by an Update: fieldsV1 with "." on granular maps, lists and elements, none on structs', (t) => {
  const created = trackUpdate(
    SERVICE,
    null,
    service({ type: 'ClusterIP', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] }, { app: 'web' }),
    opts('kubectl-create'),
  );
  t.deepEqual(managed(created), [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2026-01-02T03:04:05Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} } },
          'f:selector': {},
          'f:type': {},
        },
      },
    },
  ]);
});

test('an Update takes the fields it changes from other managers and keeps the rest with them', (t) => {
  const created = trackUpdate(SERVICE, null, service({ type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }] }), opts('a'));
  const updated = trackUpdate(SERVICE, created, service({ type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }] }), opts('b'));
  const [a, b] = managed(updated);
  t.is(a?.manager, 'a');
  t.deepEqual(a?.fieldsV1, { 'f:spec': { 'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {} } } } });
  t.is(b?.manager, 'b');
  t.deepEqual(b?.fieldsV1, { 'f:spec': { 'f:type': {} } });
  const unchanged = trackUpdate(SERVICE, updated, updated, opts('c'));
  t.deepEqual(
    managed(unchanged).map((m) => m.manager),
    ['a', 'b'],
    'a write that changes nothing adds no entry',
  );
});

test('apply creates the object with an Apply entry', (t) => {
  const created = apply(null, 'kubectl', APPLIED);
  t.deepEqual(created.spec, { selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] });
  t.deepEqual(managed(created), [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'v1',
      time: '2026-01-02T03:04:05Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} } },
          'f:selector': {},
        },
      },
    },
  ]);
});

const CSA = 'kubectl-client-side-apply';
const liveByUpdate = (): KubeObject =>
  trackUpdate(SERVICE, null, service({ selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] }, { app: 'web' }), opts(CSA));

const CONFLICTS: readonly { name: string; yaml: string; message?: string; causes?: { field: string; message: string }[] }[] = [
  { name: 'equal values: no conflict, shared ownership', yaml: APPLIED },
  {
    name: 'one changed field owned by an Update manager',
    yaml: APPLIED.replace('targetPort: 8080', 'targetPort: 9090'),
    message: `Apply failed with 1 conflict: conflict with "${CSA}" using v1: .spec.ports[port=80,protocol="TCP"].targetPort`,
    causes: [{ field: '.spec.ports[port=80,protocol="TCP"].targetPort', message: `conflict with "${CSA}" using v1` }],
  },
  {
    name: 'two changed fields: grouped by manager, one line each',
    yaml: APPLIED.replace('targetPort: 8080', 'targetPort: 9090').replace('selector: {app: web}', 'selector: {app: api}'),
    message: `Apply failed with 2 conflicts: conflicts with "${CSA}" using v1:\n- .spec.ports[port=80,protocol="TCP"].targetPort\n- .spec.selector`,
    causes: [
      { field: '.spec.ports[port=80,protocol="TCP"].targetPort', message: `conflict with "${CSA}" using v1` },
      { field: '.spec.selector', message: `conflict with "${CSA}" using v1` },
    ],
  },
];

for (const c of CONFLICTS) {
  test(`apply against another manager: ${c.name}`, (t) => {
    const live = liveByUpdate();
    const result = applyPatch(SERVICE, live, 'application/apply-patch+yaml', c.yaml, opts('kubectl'));
    if (c.message === undefined) {
      t.true(result.ok);
      if (!result.ok) return;
      const [csa, ssa] = managed(result.object);
      t.is(csa?.manager, CSA);
      t.is(ssa?.manager, 'kubectl');
      t.deepEqual(csa?.fieldsV1['f:spec'], ssa?.fieldsV1['f:spec'], 'both own the same fields');
      return;
    }
    t.false(result.ok);
    if (result.ok) return;
    t.is(result.status.code, 409);
    t.is(result.status.reason, 'Conflict');
    t.is(result.status.message, c.message);
    t.deepEqual(
      result.status.details?.causes,
      c.causes?.map((x) => ({ reason: 'FieldManagerConflict', ...x })),
    );
  });
}

test('apply with force takes the conflicting fields; the other manager keeps the rest', (t) => {
  const forced = apply(liveByUpdate(), 'kubectl', APPLIED.replace('targetPort: 8080', 'targetPort: 9090'), true);
  t.deepEqual((forced.spec as { ports: unknown }).ports, [{ port: 80, protocol: 'TCP', targetPort: 9090 }]);
  const [csa, ssa] = managed(forced);
  t.deepEqual(csa?.fieldsV1['f:spec'], {
    'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {} } },
    'f:selector': {},
  });
  t.is(ssa?.operation, 'Apply');
  t.deepEqual((ssa!.fieldsV1['f:spec'] as Record<string, Record<string, Record<string, unknown>>>)['f:ports']?.['k:{"port":80,"protocol":"TCP"}'], {
    '.': {},
    'f:port': {},
    'f:protocol': {},
    'f:targetPort': {},
  });
});

test('two Apply managers: the conflict names the manager without "using"', (t) => {
  const first = apply(null, 'team-a', APPLIED);
  const result = applyPatch(SERVICE, first, 'application/apply-patch+yaml', APPLIED.replace('selector: {app: web}', 'selector: {app: b}'), opts('team-b'));
  t.false(result.ok);
  if (!result.ok) t.is(result.status.message, 'Apply failed with 1 conflict: conflict with "team-a": .spec.selector');
});

test('fields a manager stops applying are removed, unless another manager owns them', (t) => {
  const both = apply(null, 'kubectl', APPLIED.replace('labels: {app: web}', 'labels: {app: web, tier: front}'));
  const fewer = apply(both, 'kubectl', APPLIED);
  t.deepEqual(fewer.metadata.labels, { app: 'web' });
  const shared = apply(both, 'other', 'apiVersion: v1\nkind: Service\nmetadata: {name: web, labels: {tier: front}}\n');
  const kept = apply(shared, 'kubectl', APPLIED);
  t.deepEqual(kept.metadata.labels, { app: 'web', tier: 'front' });
  const noPorts = apply(fewer, 'kubectl', APPLIED.replace(/ {2}ports:[\s\S]*$/, ''));
  t.is((noPorts.spec as Record<string, unknown>)['ports'], undefined);
});

test('apply merges ports by port and protocol: a UDP port beside a TCP one', (t) => {
  const live = apply(null, 'kubectl', APPLIED);
  const other = apply(live, 'dns', 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n  - {port: 80, protocol: UDP, targetPort: 53}\n');
  t.deepEqual((other.spec as { ports: unknown }).ports, [
    { port: 80, protocol: 'TCP', targetPort: 8080 },
    { port: 80, protocol: 'UDP', targetPort: 53 },
  ]);
});

const DISPATCH: readonly { name: string; kind: string; live: boolean; type: string; body: string; code: number; message: string | RegExp }[] = [
  {
    name: 'an unknown content type',
    kind: 'Service',
    live: true,
    type: 'text/plain',
    body: '{}',
    code: 415,
    message:
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
  },
  {
    name: 'strategic merge on a custom resource',
    kind: 'IPAddressPool',
    live: true,
    type: 'application/strategic-merge-patch+json',
    body: '{}',
    code: 415,
    message:
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
  },
  {
    name: 'a patch of a missing object',
    kind: 'Ingress',
    live: false,
    type: 'application/merge-patch+json',
    body: '{}',
    code: 404,
    message: 'ingresses.networking.k8s.io not found',
  },
  {
    name: 'a renaming patch',
    kind: 'Service',
    live: true,
    type: 'application/merge-patch+json',
    body: '{"metadata":{"name":"other"}}',
    code: 400,
    message: 'the name of the object (other) does not match the name on the URL (web)',
  },
  {
    name: 'a kind-changing patch',
    kind: 'Service',
    live: true,
    type: 'application/json-patch+json',
    body: '[{"op":"replace","path":"/kind","value":"Pod"}]',
    code: 400,
    message: /kind or apiVersion/,
  },
  { name: 'bad merge patch JSON', kind: 'Service', live: true, type: 'application/merge-patch+json', body: '{', code: 400, message: /^error decoding patch: / },
  { name: 'bad apply YAML', kind: 'Service', live: true, type: 'application/apply-patch+yaml', body: 'a: [', code: 400, message: /^error decoding YAML: / },
  {
    name: 'apply of another kind',
    kind: 'Service',
    live: true,
    type: 'application/apply-patch+yaml',
    body: 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n',
    code: 400,
    message: /do not match the expected v1 Service/,
  },
];

for (const c of DISPATCH) {
  test(`applyPatch: ${c.name}`, (t) => {
    const e = entry(c.kind);
    const live: KubeObject = { apiVersion: e.apiVersion, kind: e.kind, metadata: { name: 'web' }, spec: {} };
    const result = applyPatch(e, c.live ? live : null, c.type, c.body, opts('kubectl-patch'));
    t.false(result.ok);
    if (result.ok) return;
    t.is(result.status.code, c.code);
    if (typeof c.message === 'string') t.is(result.status.message, c.message);
    else t.regex(result.status.message, c.message);
  });
}

test('applyPatch: each patch type records an Update entry for its manager; parameters in the type are ignored', (t) => {
  const live = trackUpdate(SERVICE, null, service({ type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }] }), opts('creator'));
  const cases: [string, string][] = [
    ['application/merge-patch+json; charset=utf-8', '{"spec":{"type":"NodePort"}}'],
    ['application/json-patch+json', '[{"op":"replace","path":"/spec/type","value":"NodePort"}]'],
    ['application/strategic-merge-patch+json', '{"spec":{"type":"NodePort"}}'],
  ];
  for (const [type, body] of cases) {
    const result = applyPatch(SERVICE, live, type, body, opts('kubectl-patch'));
    t.true(result.ok, type);
    if (!result.ok) continue;
    t.is((result.object.spec as { type: string }).type, 'NodePort');
    const entries = managed(result.object);
    t.deepEqual(
      entries.map((m) => [m.manager, m.operation]),
      [
        ['creator', 'Update'],
        ['kubectl-patch', 'Update'],
      ],
      type,
    );
    t.deepEqual(entries[1]?.fieldsV1, { 'f:spec': { 'f:type': {} } });
  }
});

test('the first apply to an object without managedFields conflicts with "before-first-apply"', (t) => {
  const live = service({ selector: { app: 'old' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] });
  const result = applyPatch(SERVICE, live, 'application/apply-patch+yaml', APPLIED, opts('kubectl'));
  t.false(result.ok);
  if (!result.ok) t.is(result.status.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .spec.selector');
  const forced = apply(live, 'kubectl', APPLIED, true);
  t.deepEqual(
    managed(forced).map((m) => [m.manager, m.operation]),
    [
      ['before-first-apply', 'Update'],
      ['kubectl', 'Apply'],
    ],
  );
  t.is(managed(forced)[0]?.time, '2026-01-02T03:04:05Z');
});

test('fieldsV1: a set is written with v: members, and reading a tree back gives the same set', async (t) => {
  const { fieldSetOf, fromFieldsV1, toFieldsV1, printPath } = await import('../../src/api/patch/field-set.ts');
  const object = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', finalizers: ['a', 'b'] }, spec: { ports: [{ port: 80, protocol: 'TCP' }] } };
  const set = fieldSetOf('Service', object);
  const tree = toFieldsV1(set);
  t.deepEqual(tree['f:metadata'], { 'f:finalizers': { '.': {}, 'v:"a"': {}, 'v:"b"': {} } });
  t.deepEqual([...fromFieldsV1(tree).keys()].sort(), [...set.keys()].sort());
  t.is(printPath(['f:metadata', 'f:finalizers', 'v:"a"']), '.metadata.finalizers[="a"]');
  t.deepEqual([...fromFieldsV1({ 'f:spec': { 'k:{bad': {} } }).keys()].length, 1, 'a malformed step is kept as a name, never thrown on');
});

test('apply: a port without protocol is the TCP port (the key default), not a second element', (t) => {
  const live = apply(null, 'kubectl', APPLIED);
  const again = apply(live, 'kubectl', APPLIED.replace('    protocol: TCP\n', ''));
  // protocol is no longer applied, so it goes; defaulting (on every write, as the API server does) writes it back.
  t.deepEqual((again.spec as { ports: unknown }).ports, [{ port: 80, targetPort: 8080 }]);
  t.deepEqual(Object.keys((managed(again)[0]!.fieldsV1['f:spec'] as Record<string, Record<string, unknown>>)['f:ports'] ?? {}), [
    '.',
    'k:{"port":80,"protocol":"TCP"}',
  ]);
});
