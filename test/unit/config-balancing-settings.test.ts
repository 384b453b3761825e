/** The balancing, health, outlier, locality and clusters settings: parsing, defaults, and errors with positions. */
import test from 'ava';
import { loadConfigText } from '../../src/config/load-config.ts';
import { DEFAULT_SETTINGS } from '../../src/config/settings-defaults.ts';

const doc = (spec: string): string => `apiVersion: edgeway.io/v1alpha1\nkind: EdgewaySettings\nmetadata: {name: s}\nspec:\n${spec}`;

test('every balancing, health and locality field is read', (t) => {
  const load = loadConfigText([
    {
      path: '/etc/edgeway/s.yaml',
      text: doc(`  balancing: {policy: maglev, hashOn: "header:X-User", panicThresholdPercent: 30}
  healthChecks: {interval: 2s, timeout: 500ms, failureThreshold: 2, successThreshold: 3}
  outlierDetection: {enabled: false, consecutiveFailures: 7, baseEjectionTime: 10s, maxEjectionTime: 1m, maxEjectionPercent: 20}
  locality: {zone: eu-west-1a, region: eu-west-1, overprovisioningFactor: 1.2, preferClose: false}
  clusters:
    - {name: west, config: [west.yaml, /abs/dir], zone: eu-west-1b, region: eu-west-1}
`),
    },
  ]);
  t.deepEqual(load.diagnostics, []);
  const s = load.settings;
  t.deepEqual(s.balancing, { policy: 'maglev', hashOn: { kind: 'header', name: 'x-user' }, panicThresholdPercent: 30 });
  t.deepEqual(s.healthChecks, { intervalMs: 2000, timeoutMs: 500, failureThreshold: 2, successThreshold: 3 });
  t.deepEqual(s.outlierDetection, { enabled: false, consecutiveFailures: 7, baseEjectionMs: 10_000, maxEjectionMs: 60_000, maxEjectionPercent: 20 });
  t.deepEqual(s.locality, { zone: 'eu-west-1a', region: 'eu-west-1', overprovisioningFactor: 1.2, preferClose: false });
  t.deepEqual(s.clusters, [{ name: 'west', config: ['/etc/edgeway/west.yaml', '/abs/dir'], zone: 'eu-west-1b', region: 'eu-west-1' }]);
});

test('defaults: round robin, Envoy-like outlier detection and overprovisioning, no zone, no clusters', (t) => {
  const s = loadConfigText([{ path: 's.yaml', text: doc('  logging: {level: info}\n') }]).settings;
  t.deepEqual(s.balancing, DEFAULT_SETTINGS.balancing);
  t.is(s.balancing.policy, 'round-robin');
  t.is(s.locality.zone, null);
  t.is(s.locality.overprovisioningFactor, 1.4);
  t.deepEqual(s.clusters, []);
});

test('bad values are errors at their line, and only they fall back', (t) => {
  const load = loadConfigText([
    {
      path: 's.yaml',
      text: doc(`  balancing: {policy: fastest, hashOn: "query:x"}
  outlierDetection: {baseEjectionTime: soon, consecutiveFailures: 2}
  clusters:
    - {name: local, config: [x.yaml]}
    - {name: b, config: [b.yaml]}
    - {name: b, config: [c.yaml]}
`),
    },
  ]);
  const errors = load.diagnostics.filter((d) => d.severity === 'error');
  const fields = errors.map((d) => d.field);
  t.true(fields.includes('spec.balancing.policy'), JSON.stringify(fields));
  t.true(fields.includes('spec.balancing.hashOn'));
  t.true(fields.includes('spec.outlierDetection.baseEjectionTime'));
  t.true(fields.includes('spec.clusters[0].name'));
  t.true(fields.includes('spec.clusters[2].name'));
  for (const e of errors) t.is(e.position?.file, 's.yaml');
  t.is(errors.find((d) => d.field === 'spec.clusters[2].name')?.position?.line, 10);
  const s = load.settings;
  t.is(s.balancing.policy, 'round-robin');
  t.is(s.outlierDetection.consecutiveFailures, 2);
  t.is(s.outlierDetection.baseEjectionMs, DEFAULT_SETTINGS.outlierDetection.baseEjectionMs);
  t.deepEqual(
    s.clusters.map((c) => c.name),
    ['b'],
  );
});
