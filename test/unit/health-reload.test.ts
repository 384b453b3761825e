/**
 * Runtime state outlives snapshots: applying a new snapshot keeps an endpoint's ejection and active check, starts
 * checks for new endpoints and stops them for removed ones (reconciled on bind, never per request).
 */
import test from 'ava';
import { loadConfigText } from '../../src/config/load-config.ts';
import { DataPlane } from '../../src/dataplane/data-plane.ts';
import { createLogger } from '../../src/log.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { docs, ingress, INGRESS_CLASS } from '../helpers/manifests.ts';

function snapshot(ips: readonly string[], generation: number) {
  const yaml = docs(
    INGRESS_CLASS,
    ingress('app', [{ host: 'app.test', path: '/', service: 'app' }]),
    `apiVersion: v1
kind: Service
metadata: {name: app, namespace: default, annotations: {edgeway.io/health-check-path: /healthz, edgeway.io/health-check-interval: 10s}}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: app, namespace: default}
subsets:
  - addresses: [${ips.map((ip) => `{ip: ${ip}}`).join(', ')}]
    ports: [{name: http, port: 9}]
`,
  );
  const load = loadConfigText([{ path: 'c.yaml', text: yaml }]);
  return compileSnapshot(new ObjectStore(load.objects), load.settings, generation);
}

test('a reload keeps ejections and checks of endpoints that stay, and reconciles checks for the rest', async (t) => {
  const gateway = new DataPlane(snapshot(['127.0.9.1', '127.0.9.2'], 1), createLogger('silent'));
  t.teardown(() => gateway.close(0));
  t.deepEqual([...gateway.upstream.checker.checks()].map(([o]) => o).sort(), ['http://127.0.9.1:9', 'http://127.0.9.2:9']);
  const kept = gateway.upstream.states.get('http://127.0.9.1:9')!;
  kept.eject(Date.now(), { ...gateway.upstream.states.outlier, baseEjectionMs: 60_000 });

  gateway.apply(snapshot(['127.0.9.1', '127.0.9.3'], 2));
  t.is(gateway.upstream.states.get('http://127.0.9.1:9'), kept, 'same state object');
  t.true(kept.ejected(Date.now()));
  t.is(gateway.upstream.states.get('http://127.0.9.2:9'), undefined, 'removed endpoint forgotten');
  t.deepEqual([...gateway.upstream.checker.checks()].map(([o]) => o).sort(), ['http://127.0.9.1:9', 'http://127.0.9.3:9']);
  const set = gateway.current.backends.get('default/app:80')!;
  for (let i = 0; i < 20; i++) t.is(set.pick({ clientIp: '10.0.0.1' })!.address, '127.0.9.3:9', 'the ejected endpoint stays out after the reload');
});
