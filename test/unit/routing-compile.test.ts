/**
 * compileRoutes as a whole: hosts (exact, wildcard, none) and the fallback order, merging across Ingresses,
 * conflicts and their positions, default backends, backend checks.
 */
import test from 'ava';
import { formatDiagnostic } from '../../src/config/diagnostic.ts';
import type { Diagnostic } from '../../src/config/diagnostic.ts';
import type { LoadedObject } from '../../src/config/loaded-object.ts';
import type { KubeObject } from '../../src/k8s/types.ts';
import { compileRoutes } from '../../src/routing/compile-routes.ts';
import { normalizeHost } from '../../src/routing/normalize-host.ts';
import type { RouteTable } from '../../src/routing/route-table.ts';
import { ingress, loaded, path, service, settings, storeOf, svcBackend } from '../fixtures/routing-fixtures.ts';

/** The name of the Service a request reaches, `settings:<name>` for the settings default, null for no route. */
function reach(table: RouteTable, hostHeader: string | undefined, requestPath: string): string | null {
  const host = normalizeHost(hostHeader);
  if (host === null) throw new Error(`bad test host ${hostHeader}`);
  const target = table.match(host, requestPath);
  if (target === null) return null;
  const name = target.backend?.name ?? '<none>';
  return target.ingress === 'settings' ? `settings:${name}` : name;
}

const codes = (diagnostics: readonly Diagnostic[]): string[] => diagnostics.map((d) => d.code);
const prefixRoot = (svc: string) => ({ paths: [path('/', 'Prefix', svcBackend(svc))] });

test('hosts: exact, wildcard (one label only) and host-less rules, with Host header variants', (t) => {
  const store = storeOf(
    ingress('web', {
      rules: [{ host: 'foo.example.com', http: prefixRoot('exact') }, { host: '*.example.com', http: prefixRoot('wildcard') }, { http: prefixRoot('any') }],
    }),
    service('exact'),
    service('wildcard'),
    service('any'),
  );
  const { table, diagnostics } = compileRoutes(store, settings());
  t.deepEqual(diagnostics, []);
  t.is(table.hostCount, 2);
  const rows: readonly (readonly [string | undefined, string])[] = [
    ['foo.example.com', 'exact'],
    ['FOO.Example.COM', 'exact'],
    ['foo.example.com:8080', 'exact'],
    ['foo.example.com.', 'exact'],
    ['Foo.Example.com.:443', 'exact'],
    ['bar.example.com', 'wildcard'],
    ['BAR.example.com:80', 'wildcard'],
    ['example.com', 'any'],
    ['a.b.example.com', 'any'],
    ['other.org', 'any'],
    ['10.0.0.1:80', 'any'],
    ['[::1]:80', 'any'],
    [undefined, 'any'],
    ['', 'any'],
  ];
  for (const [host, expected] of rows) t.is(reach(table, host, '/x'), expected, String(host));
});

test('fallback order: exact host, then wildcard, then host-less rules, then the default backend', (t) => {
  const store = storeOf(
    ingress('web', {
      defaultBackend: svcBackend('fallback'),
      rules: [
        { host: 'foo.example.com', http: { paths: [path('/api', 'Prefix', svcBackend('exact'))] } },
        { host: '*.example.com', http: { paths: [path('/web', 'Prefix', svcBackend('wildcard'))] } },
        { http: { paths: [path('/other', 'Prefix', svcBackend('any'))] } },
      ],
    }),
    ...['exact', 'wildcard', 'any', 'fallback'].map((s) => service(s)),
  );
  const { table } = compileRoutes(store, settings());
  t.is(reach(table, 'foo.example.com', '/api/v1'), 'exact');
  t.is(reach(table, 'foo.example.com', '/web'), 'wildcard');
  t.is(reach(table, 'foo.example.com', '/other'), 'any');
  t.is(reach(table, 'foo.example.com', '/nothing'), 'fallback');
  t.is(reach(table, 'bar.example.com', '/api'), 'fallback');
  t.is(reach(table, 'bar.example.com', '/web/x'), 'wildcard');
  t.is(reach(table, 'example.com', '/web'), 'fallback');
});

test('a more specific host wins over a longer path on a less specific host', (t) => {
  const store = storeOf(
    ingress('web', {
      rules: [
        { host: 'foo.example.com', http: prefixRoot('exact') },
        { host: '*.example.com', http: { paths: [path('/deep/path', 'Prefix', svcBackend('wildcard'))] } },
        { http: { paths: [path('/deep/path/more', 'Exact', svcBackend('any'))] } },
      ],
    }),
    ...['exact', 'wildcard', 'any'].map((s) => service(s)),
  );
  const { table } = compileRoutes(store, settings());
  t.is(reach(table, 'foo.example.com', '/deep/path/more'), 'exact');
  t.is(reach(table, 'bar.example.com', '/deep/path/more'), 'wildcard');
});

test('rules for the same host merge across Ingresses and namespaces', (t) => {
  const store = storeOf(
    ingress('a', { rules: [{ host: 'shop.example.com', http: { paths: [path('/cart', 'Prefix', svcBackend('cart'))] } }] }, { namespace: 'team-a' }),
    ingress('b', { rules: [{ host: 'shop.example.com', http: { paths: [path('/pay', 'Exact', svcBackend('pay'))] } }] }, { namespace: 'team-b' }),
    ingress('c', { rules: [{ host: 'SHOP.example.com', http: prefixRoot('front') }] }, { namespace: 'team-a' }),
    service('cart', [{ port: 80 }], 'team-a'),
    service('front', [{ port: 80 }], 'team-a'),
    service('pay', [{ port: 80 }], 'team-b'),
  );
  const { table, diagnostics, backends } = compileRoutes(store, settings());
  t.deepEqual(diagnostics, []);
  t.is(table.hostCount, 1);
  t.is(reach(table, 'shop.example.com', '/cart/items'), 'cart');
  t.is(reach(table, 'shop.example.com', '/pay'), 'pay');
  t.is(reach(table, 'shop.example.com', '/pay/x'), 'front');
  t.is(table.match('shop.example.com', '/pay')?.backend?.namespace, 'team-b');
  t.deepEqual([...backends.keys()].sort(), ['team-a/cart:80', 'team-a/front:80', 'team-b/pay:80']);
});

/** Two Ingresses claiming Prefix /api on one host; the path line of each is 20 + its index. */
function conflictStore(specs: readonly { name: string; namespace?: string; created?: string; path?: string; type?: 'Prefix' | 'ImplementationSpecific' }[]) {
  const objects: (KubeObject | LoadedObject)[] = specs.map((s, i) =>
    loaded(
      ingress(
        s.name,
        { rules: [{ host: 'api.example.com', http: { paths: [path(s.path ?? '/api', s.type ?? 'Prefix', svcBackend(`svc-${s.name}`))] } }] },
        {
          namespace: s.namespace ?? 'default',
          ...(s.created === undefined ? {} : { created: s.created }),
        },
      ),
      10 * (i + 1),
      { 'spec.rules[0].http.paths[0].path': 20 + i },
    ),
  );
  for (const s of specs) objects.push(service(`svc-${s.name}`, [{ port: 80 }], s.namespace ?? 'default'));
  return storeOf(...objects);
}

const conflicts: readonly (readonly [note: string, specs: Parameters<typeof conflictStore>[0], winner: string, loserLine: number, reason: RegExp])[] = [
  [
    'the older Ingress wins',
    [
      { name: 'new', created: '2024-02-01T00:00:00Z' },
      { name: 'old', created: '2024-01-01T00:00:00Z' },
    ],
    'old',
    20,
    /default\/old, which is older/,
  ],
  ['a missing timestamp counts as newest', [{ name: 'a' }, { name: 'b', created: '2030-01-01T00:00:00Z' }], 'b', 20, /default\/b, which is older/],
  [
    'an unreadable timestamp counts as newest',
    [
      { name: 'a', created: 'yesterday' },
      { name: 'b', created: '2030-01-01T00:00:00Z' },
    ],
    'b',
    20,
    /default\/b/,
  ],
  [
    'equal age: namespace/name decides',
    [
      { name: 'b', created: '2024-01-01T00:00:00Z' },
      { name: 'a', created: '2024-01-01T00:00:00Z' },
    ],
    'a',
    20,
    /default\/a, which is as old and sorts first/,
  ],
  [
    'no timestamps: namespace/name decides',
    [
      { name: 'z', namespace: 'aaa' },
      { name: 'a', namespace: 'bbb' },
    ],
    'z',
    21,
    /aaa\/z, which is as old/,
  ],
  [
    'Prefix /api/ is the same rule as Prefix /api',
    [
      { name: 'a', path: '/api/' },
      { name: 'b', path: '/api' },
    ],
    'a',
    21,
    /default\/a/,
  ],
  ['ImplementationSpecific is the same rule as Prefix', [{ name: 'a', type: 'ImplementationSpecific' }, { name: 'b' }], 'a', 21, /default\/a/],
];

for (const [note, specs, winnerName, loserLine, reason] of conflicts) {
  test(`conflict: ${note}`, (t) => {
    const { table, diagnostics } = compileRoutes(conflictStore(specs), settings());
    t.is(reach(table, 'api.example.com', '/api/x'), `svc-${winnerName}`);
    t.deepEqual(codes(diagnostics), ['EW_ROUTE_CONFLICT']);
    const [d] = diagnostics;
    t.is(d?.severity, 'warning');
    t.is(d?.position?.line, loserLine);
    t.is(d?.field, 'spec.rules[0].http.paths[0].path');
    t.regex(d?.message ?? '', reason);
    t.regex(d?.message ?? '', /path "\/api" \(Prefix\) for host "api\.example\.com"/);
    t.not(d?.object, `Ingress default/${winnerName}`);
  });
}

test('conflict resolution does not depend on the order of objects in the file', (t) => {
  const specs = [{ name: 'c' }, { name: 'a', created: '2024-05-01T00:00:00Z' }, { name: 'b', created: '2024-05-01T00:00:00Z' }];
  const forward = compileRoutes(conflictStore(specs), settings());
  const backward = compileRoutes(conflictStore([...specs].reverse()), settings());
  t.is(reach(forward.table, 'api.example.com', '/api'), 'svc-a');
  t.is(reach(backward.table, 'api.example.com', '/api'), 'svc-a');
  t.deepEqual(forward.diagnostics.map((d) => d.object).sort(), ['Ingress default/b', 'Ingress default/c']);
  t.deepEqual(backward.diagnostics.map((d) => d.object).sort(), ['Ingress default/b', 'Ingress default/c']);
});

test('conflict inside one Ingress: the first path wins; Exact and Prefix of one path do not conflict', (t) => {
  const store = storeOf(
    loaded(
      ingress('web', {
        rules: [
          { host: 'x.example.com', http: { paths: [path('/a', 'Prefix', svcBackend('first')), path('/a', 'Exact', svcBackend('exact'))] } },
          { host: 'x.example.com', http: { paths: [path('/a', 'Prefix', svcBackend('second'))] } },
        ],
      }),
      1,
      { 'spec.rules[1].http.paths[0].path': 9 },
    ),
    ...['first', 'second', 'exact'].map((s) => service(s)),
  );
  const { table, diagnostics } = compileRoutes(store, settings());
  t.is(reach(table, 'x.example.com', '/a/b'), 'first');
  t.is(reach(table, 'x.example.com', '/a'), 'exact');
  t.deepEqual(codes(diagnostics), ['EW_ROUTE_CONFLICT']);
  t.is(diagnostics[0]?.position?.line, 9);
  t.regex(diagnostics[0]?.message ?? '', /spec\.rules\[0\]\.http\.paths\[0\] of this Ingress/);
});

test('default backend: the Ingress defaultBackend, for any host, before settings', (t) => {
  const store = storeOf(
    ingress('only-default', { defaultBackend: svcBackend('catch') }),
    ingress('web', { rules: [{ host: 'a.example.com', http: { paths: [path('/x', 'Exact', svcBackend('x'))] } }] }),
    service('catch'),
    service('x'),
  );
  const { table, backends } = compileRoutes(store, settings({ namespace: 'system', name: 'not-found', port: 8080 }));
  t.is(reach(table, 'a.example.com', '/x'), 'x');
  t.is(reach(table, 'a.example.com', '/y'), 'catch');
  t.is(reach(table, 'b.example.com', '/'), 'catch');
  t.is(reach(table, undefined, '/'), 'catch');
  const target = table.match('b.example.com', '/');
  t.like(target, { ingress: 'default/only-default', path: '*', pathType: 'DefaultBackend', backendKey: 'default/catch:80' });
  t.false(backends.has('system/not-found:8080'), 'the settings default is not reachable');
});

test('default backend: the oldest Ingress defaultBackend wins, the others get a conflict warning', (t) => {
  const store = storeOf(
    loaded(ingress('young', { defaultBackend: svcBackend('young') }, { created: '2024-06-01T00:00:00Z' }), 5, { 'spec.defaultBackend': 7 }),
    ingress('old', { defaultBackend: svcBackend('old') }, { created: '2023-06-01T00:00:00Z' }),
    service('young'),
    service('old'),
  );
  const { table, diagnostics } = compileRoutes(store, settings());
  t.is(reach(table, 'any.example.com', '/'), 'old');
  t.deepEqual(codes(diagnostics), ['EW_ROUTE_CONFLICT']);
  t.like(diagnostics[0], { severity: 'warning', object: 'Ingress default/young', field: 'spec.defaultBackend' });
  t.is(diagnostics[0]?.position?.line, 7);
  t.regex(diagnostics[0]?.message ?? '', /default backend is also defined by Ingress default\/old, which is older/);
});

test('default backend: settings.defaultBackend when no Ingress has one, else no route', (t) => {
  const store = storeOf(ingress('web', { rules: [{ http: { paths: [path('/x', 'Exact', svcBackend('x'))] } }] }), service('x'));
  const withSettings = compileRoutes(store, settings({ namespace: 'system', name: 'not-found', port: 'http' }));
  t.is(reach(withSettings.table, 'a.example.com', '/y'), 'settings:not-found');
  t.like(withSettings.table.match('', '/y'), { ingress: 'settings', backendKey: 'system/not-found:http', pathType: 'DefaultBackend' });
  t.true(withSettings.backends.has('system/not-found:http'));
  const without = compileRoutes(store, settings());
  t.is(reach(without.table, 'a.example.com', '/y'), null);
  t.is(reach(without.table, 'a.example.com', '/x'), 'x');
});

test('Ingresses of another class contribute nothing, not even a default backend', (t) => {
  const store = storeOf(ingress('theirs', { defaultBackend: svcBackend('x'), rules: [{ http: prefixRoot('x') }] }, { className: 'nginx' }), service('x'));
  const { table, ingresses, backends } = compileRoutes(store, settings());
  t.deepEqual(ingresses, []);
  t.is(table.match('', '/'), null);
  t.is(backends.size, 0);
});

test('backend checks: the route stays (503 later) and the Ingress gets a diagnostic at the backend', (t) => {
  const store = storeOf(
    loaded(
      ingress('web', {
        rules: [
          {
            host: 'b.example.com',
            http: {
              paths: [
                path('/missing-service', 'Prefix', svcBackend('ghost', 80)),
                path('/missing-number', 'Prefix', svcBackend('api', 9999)),
                path('/missing-name', 'Prefix', svcBackend('api', 'grpc')),
                path('/by-name', 'Prefix', svcBackend('api', 'http')),
                path('/by-number', 'Prefix', svcBackend('api', 8080)),
                path('/resource', 'Prefix', { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'assets' } }),
              ],
            },
          },
        ],
      }),
      1,
      {
        'spec.rules[0].http.paths[0].backend.service.name': 11,
        'spec.rules[0].http.paths[1].backend.service.port.number': 12,
        'spec.rules[0].http.paths[2].backend.service.port.name': 13,
        'spec.rules[0].http.paths[5].backend.resource': 16,
      },
    ),
    service('api', [{ name: 'http', port: 8080 }, { port: 9090 }]),
  );
  const { table, diagnostics, backends } = compileRoutes(store, settings());
  t.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.position?.line, d.field]),
    [
      ['EW_BACKEND_SERVICE_MISSING', 'error', 11, 'spec.rules[0].http.paths[0].backend.service.name'],
      ['EW_BACKEND_PORT_MISSING', 'error', 12, 'spec.rules[0].http.paths[1].backend.service.port.number'],
      ['EW_BACKEND_PORT_MISSING', 'error', 13, 'spec.rules[0].http.paths[2].backend.service.port.name'],
      ['EW_BACKEND_RESOURCE_UNSUPPORTED', 'warning', 16, 'spec.rules[0].http.paths[5].backend.resource'],
    ],
  );
  t.regex(diagnostics[0]?.message ?? '', /Service default\/ghost does not exist/);
  t.regex(diagnostics[1]?.message ?? '', /has no port 9999 \(it has: 8080 \(http\), 9090\)/);
  t.regex(diagnostics[2]?.message ?? '', /Service default\/api has no port named "grpc" \(it has: 8080 \(http\), 9090\)/);
  t.is(
    formatDiagnostic(diagnostics[0] as Diagnostic),
    'routes.yaml:11:3: error EW_BACKEND_SERVICE_MISSING: Ingress default/web: spec.rules[0].http.paths[0].backend.service.name: ' +
      'Service default/ghost does not exist; requests routed here get 503 until it is created in namespace default.',
  );

  t.like(table.match('b.example.com', '/missing-service'), { backendKey: 'default/ghost:80', backend: { namespace: 'default', name: 'ghost', port: 80 } });
  t.like(table.match('b.example.com', '/missing-number'), { backendKey: 'default/api:9999' });
  t.like(table.match('b.example.com', '/missing-name'), { backendKey: 'default/api:grpc' });
  t.like(table.match('b.example.com', '/by-name'), { backendKey: 'default/api:http', backend: { port: 'http' } });
  t.like(table.match('b.example.com', '/by-number'), { backendKey: 'default/api:8080', backend: { port: 8080 } });
  // A resource backend's path is left out: the request gets what a missing rule gets (here no rule matches: 404).
  t.is(table.match('b.example.com', '/resource'), null);
  t.deepEqual([...backends.keys()].sort(), ['default/api:8080', 'default/api:9999', 'default/api:grpc', 'default/api:http', 'default/ghost:80']);
});

test('unusable hosts and paths degrade only themselves', (t) => {
  const store = storeOf(
    loaded(
      ingress('web', {
        rules: [
          { host: 'bad host', http: prefixRoot('x') },
          { host: 'good.example.com:8080', http: prefixRoot('x') },
          {
            host: 'ok.example.com',
            http: { paths: [path('relative', 'Exact', svcBackend('x')), path('/a%zz', 'Prefix', svcBackend('x')), path('/fine', 'Prefix', svcBackend('x'))] },
          },
          { host: 'is.example.com', http: { paths: [path(undefined, 'ImplementationSpecific', svcBackend('x'))] } },
        ],
      }),
      1,
      { 'spec.rules[0].host': 4, 'spec.rules[2].http.paths[0].path': 8 },
    ),
    service('x'),
  );
  const { table, diagnostics } = compileRoutes(store, settings());
  t.deepEqual(codes(diagnostics), ['EW_ROUTE_HOST_INVALID', 'EW_ROUTE_HOST_INVALID', 'EW_ROUTE_PATH_INVALID', 'EW_ROUTE_PATH_INVALID']);
  t.is(diagnostics[0]?.position?.line, 4);
  t.is(diagnostics[2]?.position?.line, 8);
  t.is(reach(table, 'ok.example.com', '/fine/x'), 'x');
  t.is(reach(table, 'ok.example.com', '/other'), null);
  t.is(reach(table, 'is.example.com', '/anything'), 'x', 'ImplementationSpecific without a path means /');
  t.is(table.hostCount, 2);
});

test('the compiled result is read-only', (t) => {
  const { diagnostics, ingresses } = compileRoutes(storeOf(ingress('web', {})), settings());
  t.true(Object.isFrozen(diagnostics));
  t.true(Object.isFrozen(ingresses));
});

test('Prefix /foo/ and /foo: the longer as written takes /foo, /foo/ and /foo/x, whichever Ingress is older', (t) => {
  for (const [older, newer] of [
    ['/api', '/api/'],
    ['/api/', '/api'],
  ] as const) {
    const { table, diagnostics } = compileRoutes(
      conflictStore([
        { name: 'old', created: '2024-01-01T00:00:00Z', path: older },
        { name: 'new', created: '2024-02-01T00:00:00Z', path: newer },
      ]),
      settings(),
    );
    const winner = older === '/api/' ? 'svc-old' : 'svc-new';
    for (const request of ['/api', '/api/', '/api/x']) t.is(reach(table, 'api.example.com', request), winner, `${older} older, ${newer} newer: ${request}`);
    t.deepEqual(codes(diagnostics), ['EW_ROUTE_CONFLICT']);
    t.regex(diagnostics[0]?.message ?? '', /also written "\/api\/" by Ingress default\/(old|new), which is longer and takes priority/);
  }
});

test('Prefix /foo/ and /foo in one Ingress: the longer wins wherever it is written', (t) => {
  const store = storeOf(
    ingress('web', {
      rules: [{ host: 'x.example.com', http: { paths: [path('/foo', 'Prefix', svcBackend('short')), path('/foo/', 'Prefix', svcBackend('long'))] } }],
    }),
    service('short'),
    service('long'),
  );
  const { table, diagnostics } = compileRoutes(store, settings());
  for (const request of ['/foo', '/foo/', '/foo/x']) t.is(reach(table, 'x.example.com', request), 'long', request);
  t.deepEqual(codes(diagnostics), ['EW_ROUTE_CONFLICT']);
  t.regex(diagnostics[0]?.message ?? '', /at spec\.rules\[0\]\.http\.paths\[1\] of this Ingress/);
});

test('a resource backend is left out: its requests fall to the next rule, and a resource defaultBackend to the settings', (t) => {
  const resource = { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } };
  const store = storeOf(
    ingress('web', {
      defaultBackend: resource,
      rules: [{ host: 'x.example.com', http: { paths: [path('/static', 'Prefix', resource), path('/', 'Prefix', svcBackend('site'))] } }],
    }),
    service('site'),
  );
  const { table, diagnostics } = compileRoutes(store, settings());
  t.like(table.match('x.example.com', '/static/a.css'), { backendKey: 'default/site:80' });
  t.is(table.match('y.example.com', '/'), null, 'no default backend from the resource');
  t.deepEqual(
    diagnostics.map((d) => [d.code, d.severity]),
    [
      ['EW_BACKEND_RESOURCE_UNSUPPORTED', 'warning'],
      ['EW_BACKEND_RESOURCE_UNSUPPORTED', 'warning'],
    ],
  );
});
