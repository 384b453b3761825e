/**
 * A reload compiles incrementally (parse cache placements, ObjectStore.next, CompileMemo, bound upstream sets):
 * for a set of edits, applied one after another to one process-like state, the snapshot must be the one a
 * compilation from scratch of the same text gives — same routes for a set of probe requests, same backends
 * (endpoints, policies, limits, TLS), same addresses, same diagnostics in the same order — and a one-object change
 * must recompile only what it touches.
 */
import test from 'ava';
import { stringify } from 'yaml';
import { EMPTY_ALLOCATION_STATE, type AllocationState } from '../../src/allocation/allocation-state.ts';
import { loadConfigText } from '../../src/config/load-config.ts';
import { ParseCache } from '../../src/config/parse-cache.ts';
import { sameValue } from '../../src/config/same-value.ts';
import type { Settings } from '../../src/config/settings.ts';
import { CompileMemo } from '../../src/snapshot/compile-memo.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import type { Snapshot } from '../../src/snapshot/snapshot.ts';
import { kindBit, ObjectStore } from '../../src/store/object-store.ts';
import { bindSnapshot, type BindRuntime } from '../../src/dataplane/bound-snapshot.ts';
import { EndpointStates } from '../../src/dataplane/health/endpoint-states.ts';
import { UpstreamRegistry } from '../../src/dataplane/upstream/upstream-registry.ts';
import { ca, leaf, tlsSecret } from '../fixtures/tls-fixtures.ts';
import { pod } from '../fixtures/endpoints-fixtures.ts';

const FILE = 'edgeway.yaml';
const NOW = new Date();
const issuer = ca();
const pairA = leaf(issuer, ['secure.example.com']);
const pairB = leaf(issuer, ['secure.example.com', 'other.example.com']);

type Doc = Record<string, unknown> & {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; creationTimestamp?: string };
};

function svc(name: string, extra: Record<string, unknown> = {}, annotations?: Record<string, string>): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', ...(annotations === undefined ? {} : { annotations }) },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 'web' }], ...extra },
  };
}

function endpoints(name: string, ips: readonly string[]): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: 'default' },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'http', port: 8080 }] }],
  };
}

function ing(
  name: string,
  rules: readonly { host: string; paths: readonly [string, string][] }[],
  extra: Record<string, unknown> = {},
  annotations?: Record<string, string>,
): Doc {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', ...(annotations === undefined ? {} : { annotations }) },
    spec: {
      ...extra,
      rules: rules.map((r) => ({
        host: r.host,
        http: { paths: r.paths.map(([path, service]) => ({ path, pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } })) },
      })),
    },
  };
}

const CLASS: Doc = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name: 'edgeway', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
  spec: { controller: 'edgeway.io/ingress-controller' },
};

function settingsDoc(spec: Record<string, unknown>): Doc {
  return { apiVersion: 'edgeway.io/v1alpha1', kind: 'EdgewaySettings', metadata: { name: 'edgeway' }, spec };
}

function base(): Doc[] {
  const docs: Doc[] = [settingsDoc({ entrypoints: { https: { address: '127.0.0.1:8443' } } }), CLASS];
  for (let i = 0; i < 6; i++) docs.push(svc(`plain-${i}`, { ports: [{ name: 'http', port: 80 }] }), endpoints(`plain-${i}`, [`127.0.1.${i + 1}`]));
  docs.push(svc('web', { selector: { app: 'web' } }));
  docs.push(pod('web-1', { ip: '127.0.2.1', ports: [{ name: 'web', containerPort: 8080 }] }) as unknown as Doc);
  docs.push(pod('web-2', { ip: '127.0.2.2', ports: [{ name: 'web', containerPort: 8080 }] }) as unknown as Doc);
  docs.push(tlsSecret('secure-tls', pairA) as unknown as Doc);
  docs.push(ing('secure', [{ host: 'secure.example.com', paths: [['/', 'web']] }], { tls: [{ hosts: ['secure.example.com'], secretName: 'secure-tls' }] }));
  for (let i = 0; i < 6; i++)
    docs.push(
      ing(`app-${i}`, [
        {
          host: `app${i}.example.com`,
          paths: [
            ['/', `plain-${i}`],
            ['/api', `plain-${(i + 1) % 6}`],
          ],
        },
      ]),
    );
  docs.push(
    ing('catch-all', [{ host: '*.wild.example.com', paths: [['/', 'plain-0']] }], { defaultBackend: { service: { name: 'plain-1', port: { number: 80 } } } }),
  );
  docs.push(ing('broken', [{ host: 'broken.example.com', paths: [['/', 'missing']] }]));
  return docs;
}

const PROBES: readonly [string, string][] = [
  ['secure.example.com', '/'],
  ['secure.example.com', '/x'],
  ...Array.from({ length: 7 }, (_, i): [string, string][] => [
    [`app${i}.example.com`, '/'],
    [`app${i}.example.com`, '/api/v1'],
    [`app${i}.example.com`, '/new'],
  ]).flat(),
  ['a.wild.example.com', '/'],
  ['nowhere.example.com', '/'],
  ['broken.example.com', '/'],
  ['', '/'],
];

const named = (docs: Doc[], kind: string, name: string): number => docs.findIndex((d) => d.kind === kind && d.metadata.name === name);
const replace = (docs: Doc[], kind: string, name: string, next: Doc): Doc[] => docs.map((d, i) => (i === named(docs, kind, name) ? next : d));
const without = (docs: Doc[], kind: string, name: string): Doc[] => docs.filter((_, i) => i !== named(docs, kind, name));

/** Edits applied in sequence: each one changes one thing (or a few) of the configuration before it. */
const EDITS: readonly [string, (docs: Doc[]) => Doc[]][] = [
  [
    'change an Ingress path',
    (d) =>
      replace(
        d,
        'Ingress',
        'app-2',
        ing('app-2', [
          {
            host: 'app2.example.com',
            paths: [
              ['/', 'plain-2'],
              ['/api/v2', 'plain-3'],
            ],
          },
        ]),
      ),
  ],
  [
    'add an Ingress host',
    (d) => [
      ...d,
      ing('app-6', [
        {
          host: 'app6.example.com',
          paths: [
            ['/', 'plain-4'],
            ['/api', 'plain-0'],
          ],
        },
      ]),
    ],
  ],
  ['conflicting path on an existing host', (d) => [...d, ing('app-0-copy', [{ host: 'app0.example.com', paths: [['/api', 'plain-5']] }])]],
  ['remove an Ingress', (d) => without(d, 'Ingress', 'app-4')],
  [
    'change a Service (balancer annotation)',
    (d) => replace(d, 'Service', 'plain-1', svc('plain-1', { ports: [{ name: 'http', port: 80 }] }, { 'edgeway.io/load-balancer': 'least-request' })),
  ],
  [
    'bad annotation on a Service',
    (d) => replace(d, 'Service', 'plain-2', svc('plain-2', { ports: [{ name: 'http', port: 80 }] }, { 'edgeway.io/max-requests': 'lots' })),
  ],
  ['change Endpoints', (d) => replace(d, 'Endpoints', 'plain-3', endpoints('plain-3', ['127.0.1.30', '127.0.1.31']))],
  ['remove Endpoints', (d) => without(d, 'Endpoints', 'plain-5')],
  [
    'add a Service and Endpoints for a broken route',
    (d) => [...d, svc('missing', { ports: [{ name: 'http', port: 80 }] }), endpoints('missing', ['127.0.1.99'])],
  ],
  [
    'a Pod turns unready',
    (d) => replace(d, 'Pod', 'web-2', pod('web-2', { ip: '127.0.2.2', ready: false, ports: [{ name: 'web', containerPort: 8080 }] }) as unknown as Doc),
  ],
  ['add a Pod', (d) => [...d, pod('web-3', { ip: '127.0.2.3', ports: [{ name: 'web', containerPort: 8080 }] }) as unknown as Doc]],
  ['change a TLS Secret', (d) => replace(d, 'Secret', 'secure-tls', tlsSecret('secure-tls', pairB) as unknown as Doc)],
  [
    'Ingress opts out of the HTTPS redirect',
    (d) =>
      replace(
        d,
        'Ingress',
        'secure',
        ing(
          'secure',
          [{ host: 'secure.example.com', paths: [['/', 'web']] }],
          { tls: [{ hosts: ['secure.example.com'], secretName: 'secure-tls' }] },
          { 'edgeway.io/ssl-redirect': 'false' },
        ),
      ),
  ],
  [
    'settings change (balancing policy)',
    (d) =>
      replace(d, 'EdgewaySettings', 'edgeway', settingsDoc({ entrypoints: { https: { address: '127.0.0.1:8443' } }, balancing: { policy: 'least-request' } })),
  ],
  [
    'settings document rewritten equal',
    (d) =>
      replace(d, 'EdgewaySettings', 'edgeway', settingsDoc({ balancing: { policy: 'least-request' }, entrypoints: { https: { address: '127.0.0.1:8443' } } })),
  ],
  ['Service selector-less to NodePort', (d) => replace(d, 'Service', 'plain-0', svc('plain-0', { type: 'NodePort', ports: [{ name: 'http', port: 80 }] }))],
  ['lines inserted at the top move every position', (d) => [d[0]!, { ...CLASS, metadata: { ...CLASS.metadata, labels: { a: '1', b: '2' } } }, ...d.slice(2)]],
  ['the IngressClass stops being the default', (d) => replace(d, 'IngressClass', 'edgeway', { ...CLASS, metadata: { name: 'edgeway' } })],
  ['the IngressClass is the default again', (d) => replace(d, 'IngressClass', 'edgeway', CLASS)],
  [
    'an Ingress moves to a class edgeway does not serve',
    (d) => replace(d, 'Ingress', 'app-3', ing('app-3', [{ host: 'app3.example.com', paths: [['/', 'plain-3']] }], { ingressClassName: 'other' })),
  ],
  [
    'and back, with another path',
    (d) =>
      replace(
        d,
        'Ingress',
        'app-3',
        ing('app-3', [
          {
            host: 'app3.example.com',
            paths: [
              ['/', 'plain-3'],
              ['/api', 'plain-1'],
            ],
          },
        ]),
      ),
  ],
  [
    'an Ingress becomes the oldest (takes over a conflicting path)',
    (d) =>
      replace(d, 'Ingress', 'app-0-copy', {
        ...ing('app-0-copy', [{ host: 'app0.example.com', paths: [['/api', 'plain-5']] }]),
        metadata: { name: 'app-0-copy', namespace: 'default', creationTimestamp: '2020-01-01T00:00:00Z' },
      }),
  ],
  [
    'two Ingresses swap places in the file',
    (d) => {
      const a = named(d, 'Ingress', 'app-1');
      const b = named(d, 'Ingress', 'app-5');
      const out = [...d];
      out[a] = d[b]!;
      out[b] = d[a]!;
      return out;
    },
  ],
];

const text = (docs: readonly Doc[]): string => docs.map((d) => stringify(d)).join('---\n');

/** The process's reload path, without sockets: load through the kept cache, store from the previous one, memo. */
class Incremental {
  readonly cache = new ParseCache();
  readonly memo = new CompileMemo();
  store: ObjectStore | undefined;
  settings: Settings | undefined;
  state: AllocationState = EMPTY_ALLOCATION_STATE;
  generation = 0;

  compile(yaml: string): Snapshot {
    const load = loadConfigText([{ path: FILE, text: yaml }], { cache: this.cache });
    const settings = this.settings !== undefined && sameValue(load.settings, this.settings) ? this.settings : load.settings;
    const store = ObjectStore.next(this.store, load.objects);
    const snapshot = compileSnapshot(store, settings, ++this.generation, this.state, NOW, [], this.memo);
    this.store = store;
    this.settings = settings;
    this.state = snapshot.addresses.state;
    return snapshot;
  }
}

function scratch(yaml: string, previous: AllocationState, generation: number): Snapshot {
  const load = loadConfigText([{ path: FILE, text: yaml }]);
  return compileSnapshot(new ObjectStore(load.objects), load.settings, generation, previous, NOW);
}

/** Everything a snapshot serves and reports, as plain data. */
function view(s: Snapshot): unknown {
  return {
    routes: PROBES.map(([host, path]) => s.routes.match(host, path)),
    hostCount: s.routes.hostCount,
    backends: [...s.backends].sort(([a], [b]) => (a < b ? -1 : 1)),
    ingresses: s.ingresses,
    diagnostics: s.diagnostics,
    addresses: { ...s.addresses, pools: undefined },
    tls: { ...s.tls, secrets: [...s.tls.secrets], ingresses: s.tls.ingresses.map((l) => ({ object: l.object, position: l.position })) },
    objectCount: s.objectCount,
    settings: s.settings,
  };
}

test('every edit in sequence compiles incrementally to what a compilation from scratch gives', (t) => {
  const run = new Incremental();
  let docs = base();
  run.compile(text(docs));
  for (const [name, edit] of EDITS) {
    docs = edit(docs);
    const yaml = text(docs);
    const before = run.state;
    const incremental = run.compile(yaml);
    t.deepEqual(view(incremental), view(scratch(yaml, before, run.generation)), name);
  }
});

test('the edits in reverse order too (other objects change around other memo entries)', (t) => {
  const run = new Incremental();
  let docs = base();
  run.compile(text(docs));
  for (const [name, edit] of [...EDITS].reverse()) {
    docs = edit(docs);
    const yaml = text(docs);
    const before = run.state;
    t.deepEqual(view(run.compile(yaml)), view(scratch(yaml, before, run.generation)), name);
  }
});

test('a one-path change recompiles one Ingress and one host and reuses every object, backend and the addresses', (t) => {
  const run = new Incremental();
  const docs = base();
  const first = run.compile(text(docs));
  const storeBefore = run.store!;
  const edited = replace(
    docs,
    'Ingress',
    'app-2',
    ing('app-2', [
      {
        host: 'app2.example.com',
        paths: [
          ['/', 'plain-2'],
          ['/api/v9', 'plain-3'],
        ],
      },
    ]),
  );
  const next = run.compile(text(edited));
  t.deepEqual(run.memo.routes.recompiled, { ingresses: 1, tables: 1 });
  t.deepEqual(run.memo.recompiled, { addresses: false, backends: 0 });
  t.is(next.addresses, first.addresses);
  for (const [key, backend] of next.backends) t.true(backend === first.backends.get(key), key);
  // The store is patched: the one replaced object differs, every other is the very same instance.
  const changed = [...run.store!].filter((o) => storeBefore.get(o.object.kind, o.object.metadata.namespace, o.object.metadata.name) !== o);
  t.deepEqual(
    changed.map((o) => `${o.object.kind}/${o.object.metadata.name}`),
    ['Ingress/app-2'],
  );
  t.is(run.store!.list('Service'), storeBefore.list('Service'));
});

test('an unchanged reload reuses the store, the settings and the snapshot parts whole', (t) => {
  const run = new Incremental();
  const yaml = text(base());
  const first = run.compile(yaml);
  const store = run.store;
  const next = run.compile(yaml);
  t.is(run.store, store);
  t.is(next.settings, first.settings);
  t.deepEqual(run.memo.routes.recompiled, { ingresses: 0, tables: 0 });
  t.deepEqual(run.memo.recompiled, { addresses: false, backends: 0 });
});

test('a patched store names what it replaced, one step back only', (t) => {
  const run = new Incremental();
  const docs = base();
  run.compile(text(docs));
  const first = run.store!;
  t.deepEqual(first.changesSince(first), { kinds: 0, gets: [], lists: [] });
  run.compile(text(replace(docs, 'Endpoints', 'plain-3', endpoints('plain-3', ['127.0.1.30']))));
  const second = run.store!;
  t.deepEqual(second.changesSince(first), { kinds: kindBit('Endpoints'), gets: ['Endpoints\0default\0plain-3'], lists: ['\0Endpoints', 'Endpoints\0default'] });
  run.compile(text(replace(docs, 'Endpoints', 'plain-3', endpoints('plain-3', ['127.0.1.31']))));
  t.is(run.store!.changesSince(first), undefined);
});

test('memo entries checked in a store the next one was not patched from are re-checked read by read', (t) => {
  // As when a reload is rejected after compiling: the memo has seen a store the process never kept, and the next
  // store is patched from the one before it.
  const run = new Incremental();
  const docs = base();
  run.compile(text(docs));
  const kept = run.store;
  const keptState = run.state;
  run.compile(text(replace(docs, 'Endpoints', 'plain-3', endpoints('plain-3', ['127.0.1.30', '127.0.1.31']))));
  run.store = kept;
  run.state = keptState;
  for (const yaml of [
    text(replace(docs, 'Service', 'plain-1', svc('plain-1', { ports: [{ name: 'http', port: 80 }] }, { 'edgeway.io/load-balancer': 'least-request' }))),
    text(docs),
  ]) {
    const before = run.state;
    t.deepEqual(view(run.compile(yaml)), view(scratch(yaml, before, run.generation)));
  }
});

test('no backend changed: the compile hands out the same backends map and binding keeps the bound map whole', async (t) => {
  const run = new Incremental();
  const docs = base();
  const first = run.compile(text(docs));
  const runtime: BindRuntime = {
    upstreams: new UpstreamRegistry(first.settings.upstream),
    balancers: new Map(),
    states: new EndpointStates(first.settings.outlierDetection),
    runtimes: new Map(),
  };
  t.teardown(() => runtime.upstreams.destroy());
  const bound = bindSnapshot(first, runtime);
  const onePath = run.compile(
    text(
      replace(
        docs,
        'Ingress',
        'app-2',
        ing('app-2', [
          {
            host: 'app2.example.com',
            paths: [
              ['/', 'plain-2'],
              ['/api/v9', 'plain-3'],
            ],
          },
        ]),
      ),
    ),
  );
  t.is(onePath.backends, first.backends);
  const rebound = bindSnapshot(onePath, runtime, null, bound);
  t.is(rebound.backends, bound.backends);
  t.is(rebound.snapshot, onePath);
  const endpointsChanged = run.compile(text(replace(docs, 'Endpoints', 'plain-3', endpoints('plain-3', ['127.0.1.30']))));
  t.not(endpointsChanged.backends, first.backends);
  const third = bindSnapshot(endpointsChanged, runtime, null, rebound);
  t.not(third.backends, rebound.backends);
  // A set is kept exactly when its compiled Backend is the same object (here the Endpoints also feed the address
  // compilation, so most backends are compiled anew).
  for (const [key, set] of third.backends) t.is(set === rebound.backends.get(key), endpointsChanged.backends.get(key) === onePath.backends.get(key), key);
  t.deepEqual([...third.backends.keys()].sort(), [...endpointsChanged.backends.keys()].sort());
});
