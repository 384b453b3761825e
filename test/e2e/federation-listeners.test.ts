/**
 * The listeners on a federated Service's own addresses fail over like Ingress routes: the ClusterIP of a Service that
 * clusters b (zone b1, region r1) and c (zone c1, region r2) also have serves the local shard while it lives, then
 * b's, then c's, and the local shard again once it is back. The local endpoints carry no zone of their own: they take
 * edgeway's (`locality`), so they rank first. A TCP pass-through port (no appProtocol) connects to the next shard
 * the same way rather than resetting the client.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { httpGet } from '../helpers/http.ts';
import { docs, settings } from '../helpers/manifests.ts';
import { startEdgeway, tempDir } from '../helpers/edgeway.ts';
import { unusedPort } from '../helpers/servers.ts';
import { backend } from '../fixtures/resilience-fixtures.ts';
import { eventually, federatedService, HEALTH } from '../fixtures/federation-fixtures.ts';

async function threeClusters(t: ExecutionContext, tcp: boolean, hosts: readonly [string, string, string]) {
  const port = await unusedPort();
  const local = await backend(t, 'a1', hosts[0]);
  const b = await backend(t, 'b1', hosts[1]);
  const c = await backend(t, 'c1', hosts[2]);
  const dir = await tempDir(t);
  await writeFile(join(dir, 'b.yaml'), federatedService('app', port, [b], { annotations: HEALTH, tcp }));
  await writeFile(join(dir, 'c.yaml'), federatedService('app', port, [c], { annotations: HEALTH, tcp }));
  const running = await startEdgeway(
    t,
    docs(
      settings(`locality: {zone: a1, region: r1}
healthChecks: {failureThreshold: 1, timeout: 300ms}
outlierDetection: {consecutiveFailures: 1, baseEjectionTime: 200ms, maxEjectionTime: 1s}
clusters:
  - {name: b, config: ["${join(dir, 'b.yaml')}"], zone: b1, region: r1}
  - {name: c, config: ["${join(dir, 'c.yaml')}"], zone: c1, region: r2}`),
      federatedService('app', port, [local], { annotations: HEALTH, tcp }),
    ),
  );
  const listener = running.edgeway.snapshot.addresses.listeners.find((l) => l.service === 'default/app' && l.source === 'clusterIP');
  if (listener === undefined) throw new Error('no ClusterIP listener');
  const url = `http://${listener.address}:${port}/`;
  const servedBy = (name: string) =>
    eventually(`served by ${name}`, async () => {
      const replies = await Promise.all([0, 1, 2].map(() => httpGet(url, { host: 'app' }).catch(() => ({ status: 0, text: '' }))));
      return replies.every((r) => r.status === 200 && r.text === name);
    });
  return { running, listener, local, b, servedBy };
}

test('a federated ClusterIP fails over local → same region → other region → back', async (t) => {
  const { running, listener, local, b, servedBy } = await threeClusters(t, false, ['127.0.4.1', '127.0.5.1', '127.0.6.1']);
  await servedBy('a1');
  const view = JSON.parse((await httpGet(`${running.adminUrl}/debug/upstreams`)).text) as {
    backends: { backend: string; clusters: string[]; endpoints: { cluster: string; zone: string | null; region: string | null }[] }[];
  };
  const own = view.backends.find((x) => x.backend === listener.backendKey);
  t.deepEqual(own?.clusters, ['local', 'b', 'c']);
  t.deepEqual(
    own?.endpoints.map((e) => [e.cluster, e.zone, e.region]),
    [
      ['local', 'a1', 'r1'],
      ['b', 'b1', 'r1'],
      ['c', 'c1', 'r2'],
    ],
  );
  await local.kill();
  await servedBy('b1');
  await b.kill();
  await servedBy('c1');
  await local.revive();
  await servedBy('a1');
});

test('a federated TCP ClusterIP port connects to the next shard instead of resetting', async (t) => {
  const { local, b, servedBy } = await threeClusters(t, true, ['127.0.4.2', '127.0.5.2', '127.0.6.2']);
  await servedBy('a1');
  await local.kill();
  await servedBy('b1');
  await b.kill();
  await servedBy('c1');
  t.pass();
});
