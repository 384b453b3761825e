/**
 * Canary splits end to end: a main Ingress to Service v1 and an ingress-nginx canary Ingress for the same host and
 * path to v2. Weighted share over a bounded number of requests, by-header always/never, and compile-time warnings.
 */
import test from 'ava';
import { httpGet } from '../helpers/http.ts';
import { docs, ingress, INGRESS_CLASS } from '../helpers/manifests.ts';
import { startEdgeway } from '../helpers/edgeway.ts';
import { backend, service, tally } from '../fixtures/resilience-fixtures.ts';

function canary(annotations: Record<string, string>, path = '/'): string {
  const main = ingress('app-canary', [{ host: 'app.test', path, service: 'v2' }]);
  const lines = Object.entries({ 'nginx.ingress.kubernetes.io/canary': 'true', ...annotations }).map(([k, v]) => `    ${k}: "${v}"`);
  return main.replace('  namespace: default\n', `  namespace: default\n  annotations:\n${lines.join('\n')}\n`);
}

test('canary-weight 25: about a quarter of 400 requests go to the canary; by-header always/never override it', async (t) => {
  const v1 = await backend(t, 'v1', '127.0.0.9');
  const v2 = await backend(t, 'v2', '127.0.0.10');
  const running = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      service('v1', [v1]),
      service('v2', [v2]),
      ingress('app', [{ host: 'app.test', path: '/', service: 'v1' }]),
      canary({ 'nginx.ingress.kubernetes.io/canary-weight': '25', 'nginx.ingress.kubernetes.io/canary-by-header': 'X-Canary' }),
    ),
  );
  const replies = [];
  for (let i = 0; i < 400; i++) replies.push(await httpGet(`${running.url}/`, { host: 'app.test' }));
  const split = tally(replies);
  t.is((split.v1 ?? 0) + (split.v2 ?? 0), 400);
  // 25% ± 7.5% (over 5 standard deviations for 400 draws).
  t.true(Math.abs((split.v2 ?? 0) / 400 - 0.25) < 0.075, JSON.stringify(split));

  const always = [];
  const never = [];
  for (let i = 0; i < 20; i++) {
    always.push(await httpGet(`${running.url}/`, { host: 'app.test', 'x-canary': 'always' }));
    never.push(await httpGet(`${running.url}/`, { host: 'app.test', 'x-canary': 'never' }));
  }
  t.deepEqual(tally(always), { v2: 20 });
  t.deepEqual(tally(never), { v1: 20 });
});

test('a canary path without a main Ingress path is reported and not served', async (t) => {
  const v1 = await backend(t, 'v1', '127.0.0.11');
  const v2 = await backend(t, 'v2', '127.0.0.12');
  const running = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      service('v1', [v1]),
      service('v2', [v2]),
      ingress('app', [{ host: 'app.test', path: '/', service: 'v1' }]),
      canary({ 'nginx.ingress.kubernetes.io/canary-weight': '100' }, '/other'),
    ),
  );
  const codes = running.edgeway.snapshot.diagnostics.map((d) => d.code);
  t.true(codes.includes('EW_CANARY_UNMATCHED'));
  t.is((await httpGet(`${running.url}/other`, { host: 'app.test' })).text, 'v1');
});
