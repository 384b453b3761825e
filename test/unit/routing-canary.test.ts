/** Canary annotations parsed and applied per request, as a table; compile-time attachment to the main route. */
import test from 'ava';
import { canaryAnnotations, choosesCanary } from '../../src/routing/canary.ts';
import type { CanarySplit } from '../../src/routing/route-table.ts';

const base: CanarySplit = { ingress: 'default/canary', backend: null, backendKey: 'default/v2:80', weight: 0, weightTotal: 100 };

test('canary annotations: weight, total, header and value, cookie; bad values are reported and ignored', (t) => {
  const { rules, problems } = canaryAnnotations({
    'nginx.ingress.kubernetes.io/canary': 'true',
    'nginx.ingress.kubernetes.io/canary-weight': '30',
    'nginx.ingress.kubernetes.io/canary-by-header': 'X-Canary',
    'nginx.ingress.kubernetes.io/canary-by-header-value': 'yes',
    'nginx.ingress.kubernetes.io/canary-by-cookie': 'beta',
  });
  t.deepEqual(problems, []);
  t.deepEqual(rules, { weight: 30, weightTotal: 100, header: 'x-canary', headerValue: 'yes', cookie: 'beta' });
  const bad = canaryAnnotations({ 'nginx.ingress.kubernetes.io/canary-weight': '130', 'nginx.ingress.kubernetes.io/canary-by-header': 'bad header' });
  t.is(bad.rules.weight, 0);
  t.is(bad.problems.length, 2);
  t.is(canaryAnnotations({ 'nginx.ingress.kubernetes.io/canary-weight-total': '1000', 'nginx.ingress.kubernetes.io/canary-weight': '500' }).rules.weight, 500);
});

test('choosesCanary: header always/never beats the weight; a header value must match exactly; then cookie; then weight', (t) => {
  const rows: [Partial<CanarySplit>, Record<string, string>, number, boolean][] = [
    [{ header: 'x-canary' }, { 'x-canary': 'always' }, 0.99, true],
    [{ header: 'x-canary', weight: 100 }, { 'x-canary': 'never' }, 0, false],
    [{ header: 'x-canary', weight: 100 }, { 'x-canary': 'other' }, 0.5, true],
    [{ header: 'x-canary' }, {}, 0.5, false],
    [{ header: 'x-canary', headerValue: 'v2' }, { 'x-canary': 'v2' }, 0.99, true],
    [{ header: 'x-canary', headerValue: 'v2' }, { 'x-canary': 'always' }, 0.99, false],
    [{ cookie: 'beta' }, { cookie: 'a=1; beta=always' }, 0.99, true],
    [{ cookie: 'beta', weight: 100 }, { cookie: 'beta=never' }, 0, false],
    [{ weight: 30 }, {}, 0.29, true],
    [{ weight: 30 }, {}, 0.3, false],
    [{ weight: 0 }, {}, 0, false],
  ];
  for (const [split, headers, random, want] of rows) {
    t.is(
      choosesCanary({ ...base, ...split }, headers, () => random),
      want,
      JSON.stringify([split, headers, random]),
    );
  }
});
