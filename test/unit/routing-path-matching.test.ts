/**
 * Path matching through the whole compiler: the Kubernetes documentation's examples table row by row, the open
 * cases we chose, paths with find-my-way's special characters, and a randomised cross-check of the radix tree
 * against a plain reading of the spec.
 */
import { DEFAULT_SETTINGS } from '../../src/config/settings-defaults.ts';
import { defaultRoutePolicy } from '../../src/routing/route-policy.ts';
import test from 'ava';
import type { PathType } from '../../src/k8s/types.ts';
import { compileRoutes } from '../../src/routing/compile-routes.ts';
import { normalizePath } from '../../src/routing/normalize-path.ts';
import { PathTables, toTreePath } from '../../src/routing/path-table.ts';
import type { RouteTable } from '../../src/routing/route-table.ts';
import { ingress, path, service, settings, storeOf, svcBackend } from '../fixtures/routing-fixtures.ts';

type Rule = readonly [path: string, type: PathType];

/** One Ingress, no host, one Service per rule (`s0`, `s1`, …) so the winner can be told from the backend. */
function tableOf(rules: readonly Rule[]): RouteTable {
  const paths = rules.map(([p, type], i) => path(p, type, svcBackend(`s${i}`)));
  const services = rules.map((_, i) => service(`s${i}`));
  const compiled = compileRoutes(storeOf(ingress('web', { rules: [{ http: { paths } }] }), ...services), settings());
  return compiled.table;
}

/** The index of the winning rule, or null. */
function winner(table: RouteTable, requestPath: string): number | null {
  const normal = normalizePath(requestPath);
  if (normal === null) throw new Error(`bad test path ${requestPath}`);
  const target = table.match('example.com', normal);
  return target === null ? null : Number(target.backend?.name.slice(1));
}

// https://kubernetes.io/docs/concepts/services-networking/ingress/#examples, every row.
const docsExamples: readonly (readonly [rules: readonly Rule[], requests: readonly string[], winner: number | null, note: string])[] = [
  [[['/', 'Prefix']], ['/', '/foo', '/foo/bar/', '/aaa/bbb/ccc'], 0, 'Prefix / matches all paths'],
  [[['/foo', 'Exact']], ['/foo'], 0, 'Exact /foo matches /foo'],
  [[['/foo', 'Exact']], ['/bar'], null, 'Exact /foo does not match /bar'],
  [[['/foo', 'Exact']], ['/foo/'], null, 'Exact /foo does not match /foo/'],
  [[['/foo/', 'Exact']], ['/foo'], null, 'Exact /foo/ does not match /foo'],
  [[['/foo', 'Prefix']], ['/foo', '/foo/'], 0, 'Prefix /foo matches /foo and /foo/'],
  [[['/foo/', 'Prefix']], ['/foo', '/foo/'], 0, 'Prefix /foo/ matches /foo and /foo/'],
  [[['/aaa/bb', 'Prefix']], ['/aaa/bbb'], null, 'Prefix /aaa/bb does not match /aaa/bbb'],
  [[['/aaa/bbb', 'Prefix']], ['/aaa/bbb'], 0, 'Prefix /aaa/bbb matches /aaa/bbb'],
  [[['/aaa/bbb/', 'Prefix']], ['/aaa/bbb'], 0, 'Prefix /aaa/bbb/ matches /aaa/bbb, ignoring the trailing slash'],
  [[['/aaa/bbb', 'Prefix']], ['/aaa/bbb/'], 0, 'Prefix /aaa/bbb matches /aaa/bbb/, matching the trailing slash'],
  [[['/aaa/bbb', 'Prefix']], ['/aaa/bbb/ccc'], 0, 'Prefix /aaa/bbb matches the subpath /aaa/bbb/ccc'],
  [[['/aaa/bbb', 'Prefix']], ['/aaa/bbbxyz'], null, 'Prefix /aaa/bbb does not match the string prefix /aaa/bbbxyz'],
  [
    [
      ['/', 'Prefix'],
      ['/aaa', 'Prefix'],
    ],
    ['/aaa/ccc'],
    1,
    'Prefix /, /aaa: /aaa/ccc matches /aaa',
  ],
  [
    [
      ['/', 'Prefix'],
      ['/aaa', 'Prefix'],
      ['/aaa/bbb', 'Prefix'],
    ],
    ['/aaa/bbb'],
    2,
    'Prefix /, /aaa, /aaa/bbb: /aaa/bbb matches /aaa/bbb',
  ],
  [
    [
      ['/', 'Prefix'],
      ['/aaa', 'Prefix'],
      ['/aaa/bbb', 'Prefix'],
    ],
    ['/ccc'],
    0,
    'Prefix /, /aaa, /aaa/bbb: /ccc matches /',
  ],
  [[['/aaa', 'Prefix']], ['/ccc'], null, 'Prefix /aaa does not match /ccc (default backend)'],
  [
    [
      ['/foo', 'Prefix'],
      ['/foo', 'Exact'],
    ],
    ['/foo'],
    1,
    'Mixed Prefix /foo and Exact /foo: /foo prefers Exact',
  ],
];

for (const [rules, requests, expected, note] of docsExamples) {
  test(`docs example: ${note}`, (t) => {
    const table = tableOf(rules);
    for (const request of requests) t.is(winner(table, request), expected, request);
  });
}

// Our open cases and other precedence cases, as tables.
const precedence: readonly (readonly [rules: readonly Rule[], request: string, winner: number | null, note: string])[] = [
  [
    [
      ['/foo/', 'Prefix'],
      ['/foo', 'Exact'],
    ],
    '/foo',
    1,
    'Prefix /foo/ vs Exact /foo for /foo: equal length, Exact wins',
  ],
  [
    [
      ['/foo/', 'Prefix'],
      ['/foo', 'Exact'],
    ],
    '/foo/',
    0,
    'Prefix /foo/ vs Exact /foo for /foo/: only the Prefix matches',
  ],
  [
    [
      ['/foo', 'Prefix'],
      ['/foo/', 'Exact'],
    ],
    '/foo/',
    1,
    'Exact /foo/ is longer than Prefix /foo',
  ],
  [
    [
      ['/foo', 'Prefix'],
      ['/foo/', 'Exact'],
    ],
    '/foo',
    0,
    'Exact /foo/ does not match /foo',
  ],
  [
    [
      ['/foo', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/foo/',
    1,
    'Exact /foo does not take /foo/',
  ],
  [
    [
      ['/', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/',
    0,
    'Exact / beats Prefix / at the root',
  ],
  [
    [
      ['/', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/x',
    1,
    'Exact / only matches the root',
  ],
  [
    [
      ['/a', 'Prefix'],
      ['/a/b/c', 'Exact'],
    ],
    '/a/b/c/d',
    0,
    'a deeper Exact that does not match leaves the Prefix',
  ],
  [
    [
      ['/a', 'Prefix'],
      ['/a/bx', 'Prefix'],
    ],
    '/a/b/c',
    0,
    'backtracks from a static dead end to the Prefix wildcard',
  ],
  [
    [
      ['/a', 'Prefix'],
      ['/a/b', 'Prefix'],
      ['/a/b/c', 'Prefix'],
    ],
    '/a/b/cd',
    1,
    'deepest wildcard that matches element-wise',
  ],
  [[['/api', 'ImplementationSpecific']], '/api/v1', 0, 'ImplementationSpecific is treated as Prefix'],
  [[['/api', 'ImplementationSpecific']], '/apiv1', null, 'ImplementationSpecific is element-wise like Prefix'],
  [[['/Foo', 'Prefix']], '/foo', null, 'paths are case-sensitive'],
  [[['/a/b', 'Prefix']], '/a%2Fb', null, 'an encoded slash is not a separator'],
  [[['/a/b', 'Prefix']], '/a/./x/../b/c', 0, 'dot segments are resolved before matching'],
  [[['/a/b', 'Exact']], '/a//b', 0, 'repeated slashes are merged before matching'],
  [
    [
      ['/admin', 'Prefix'],
      ['/', 'Prefix'],
    ],
    '/%61dmin',
    0,
    'escaped unreserved characters are decoded before matching',
  ],
];

for (const [rules, request, expected, note] of precedence) {
  test(`precedence: ${note}`, (t) => {
    t.is(winner(tableOf(rules), request), expected);
  });
}

// find-my-way gives `:`, `*`, `(` and `%` meaning; Ingress paths must still match literally.
const special: readonly (readonly [rules: readonly Rule[], request: string, winner: number | null])[] = [
  [[['/a:b', 'Exact']], '/a:b', 0],
  [
    [
      ['/a:b', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/a:x',
    1,
  ],
  [
    [
      ['/:id', 'Prefix'],
      ['/', 'Prefix'],
    ],
    '/123',
    1,
  ],
  [
    [
      ['/:id', 'Prefix'],
      ['/', 'Prefix'],
    ],
    '/:id/x',
    0,
  ],
  [
    [
      ['/a::b', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/a::b',
    0,
  ],
  [
    [
      ['/a::b', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/a:b',
    1,
  ],
  [
    [
      ['/a:', 'Prefix'],
      ['/', 'Prefix'],
    ],
    '/a:/b',
    0,
  ],
  [
    [
      ['/*', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/*',
    0,
  ],
  [
    [
      ['/*', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/anything',
    1,
  ],
  [
    [
      ['/files/*', 'Prefix'],
      ['/', 'Prefix'],
    ],
    '/files/*/x',
    0,
  ],
  [
    [
      ['/files/*', 'Prefix'],
      ['/', 'Prefix'],
    ],
    '/files/a',
    1,
  ],
  [
    [
      ['/a*b', 'Prefix'],
      ['/', 'Prefix'],
    ],
    '/a*b/c',
    0,
  ],
  [
    [
      ['/a*b', 'Prefix'],
      ['/', 'Prefix'],
    ],
    '/aXb/c',
    1,
  ],
  [
    [
      ['/:p(\\d+)', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/:p(\\d+)',
    0,
  ],
  [
    [
      ['/:p(\\d+)', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/42',
    1,
  ],
  [
    [
      ['/x(y)', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/x(y)',
    0,
  ],
  [
    [
      ['/a%20b', 'Prefix'],
      ['/', 'Prefix'],
    ],
    '/a%20b/c',
    0,
  ],
  [
    [
      ['/a%20b', 'Prefix'],
      ['/', 'Prefix'],
    ],
    '/a b/c',
    0,
  ],
  [
    [
      ['/a%2Fb', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/a%2fb',
    0,
  ],
  [
    [
      ['/a%2Fb', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/a/b',
    1,
  ],
  [
    [
      ['/a%25', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/a%25',
    0,
  ],
  [
    [
      ['/a%25', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/a%2525',
    1,
  ],
  [
    [
      ['/caf%C3%A9', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/caf%c3%a9',
    0,
  ],
  [
    [
      ['/a;b', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/a;b',
    0,
  ],
  [
    [
      ['/q', 'Exact'],
      ['/', 'Prefix'],
    ],
    '/q%3F',
    1,
  ],
];

for (const [rules, request, expected] of special) {
  test(`special characters: rules ${rules.map(([p, type]) => `${type} ${p}`).join(', ')}; request ${request}`, (t) => {
    t.is(winner(tableOf(rules), request), expected);
  });
}

/** The spec, read plainly: all rules that match, longest path first, Exact before Prefix. */
function referenceWinner(rules: readonly Rule[], request: string): number | null {
  let best: number | null = null;
  let bestLength = -1;
  let bestExact = false;
  const requestElements = request.split('/').filter((e) => e !== '');
  rules.forEach(([written, type], i) => {
    const exact = type === 'Exact';
    const rulePath = exact || written === '/' ? written : written.replace(/\/$/, '');
    let matches: boolean;
    if (exact) {
      matches = rulePath === request;
    } else {
      const ruleElements = rulePath.split('/').filter((e) => e !== '');
      matches = ruleElements.every((e, k) => requestElements[k] === e);
    }
    if (!matches) return;
    const better = rulePath.length > bestLength || (rulePath.length === bestLength && exact && !bestExact);
    if (better) {
      best = i;
      bestLength = rulePath.length;
      bestExact = exact;
    }
  });
  return best;
}

/** A small deterministic PRNG (mulberry32) so the random cases are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('the radix tree agrees with the plain reading of the spec on random rule sets', (t) => {
  const next = random(20240601);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const elements = ['a', 'b', 'ab', 'a:b', 'x*', 'c'];
  const randomPath = (maxDepth: number, trailing: boolean): string => {
    const depth = Math.floor(next() * (maxDepth + 1));
    const parts = Array.from({ length: depth }, () => pick(elements));
    const p = `/${parts.join('/')}`;
    return trailing && depth > 0 && next() < 0.3 ? `${p}/` : p;
  };
  let checked = 0;
  for (let round = 0; round < 300; round++) {
    const seen = new Set<string>();
    const rules: Rule[] = [];
    const count = 1 + Math.floor(next() * 8);
    while (rules.length < count) {
      const type: PathType = next() < 0.4 ? 'Exact' : 'Prefix';
      const p = randomPath(3, true);
      const key = `${type} ${type === 'Exact' || p === '/' ? p : p.replace(/\/$/, '')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rules.push([p, type]);
    }
    const table = tableOf(rules);
    for (let k = 0; k < 20; k++) {
      const request = randomPath(4, true);
      const expected = referenceWinner(rules, request);
      const actual = winner(table, request);
      if (actual !== expected) {
        t.fail(`rules ${JSON.stringify(rules)} request ${request}: expected ${expected}, got ${actual}`);
        return;
      }
      checked++;
    }
  }
  t.is(checked, 6000);
});

test('hosts with the same routes share one router but keep their own targets', (t) => {
  const target = (name: string) => ({
    ingress: 'default/web',
    backend: null,
    backendKey: name,
    path: '/',
    pathType: 'Prefix' as const,
    redirectToHttps: false,
    policy: defaultRoutePolicy(DEFAULT_SETTINGS),
  });
  const tables = new PathTables();
  const a = tables.build([
    { path: '/', exact: false, target: target('a') },
    { path: '/x', exact: true, target: target('a-x') },
  ]);
  const b = tables.build([
    { path: '/x', exact: true, target: target('b-x') },
    { path: '/', exact: false, target: target('b') },
  ]);
  const c = tables.build([{ path: '/', exact: false, target: target('c') }]);
  t.is(tables.routerCount, 2);
  t.is(a.match(toTreePath('/x'))?.backendKey, 'a-x');
  t.is(b.match(toTreePath('/x'))?.backendKey, 'b-x');
  t.is(a.match(toTreePath('/y'))?.backendKey, 'a');
  t.is(b.match(toTreePath('/y'))?.backendKey, 'b');
  t.is(c.match(toTreePath('/x'))?.backendKey, 'c');
});
