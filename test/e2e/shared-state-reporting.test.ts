/**
 * What an edgeway with etcd turned on reports about it: the replica name in /config/status, metrics and the Events
 * it records; sharedState and the edgeway.io/SharedStateReachable condition while etcd answers; and, with etcd
 * stopped, unreachable in all of them while /readyz stays 200 and requests keep being served.
 */
import test from 'ava';
import { startEdgeway } from '../helpers/edgeway.ts';
import { startEtcd } from '../helpers/etcd.ts';
import { docs, settings } from '../helpers/manifests.ts';
import { waitFor } from '../helpers/servers.ts';

const LB_SERVICE = `apiVersion: v1
kind: Service
metadata: {name: lb, namespace: default}
spec:
  type: LoadBalancer
  ports: [{port: 80, targetPort: 8080}]
`;

interface Status {
  replica?: string;
  sharedState?: { servers: string[]; prefix: string; reachable: boolean | null; since: string; lastError: { message: string } | null; revision: number };
  conditions?: { type: string; status: string; reason: string; message: string; lastTransitionTime: string }[];
}

const json = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>;

test('etcd on: replica, sharedState, condition and metrics; etcd stopped: unreachable while /readyz stays 200', async (t) => {
  const etcd = await startEtcd(t);
  const gw = await startEdgeway(t, docs(settings(`replicaName: edge-a\netcd:\n  servers: ["${etcd.endpoint}"]\n  prefix: /edge-test\n`), LB_SERVICE));
  const status = (): Promise<Status> => json<Status>(`${gw.adminUrl}/config/status`);

  await waitFor(async () => (await status()).sharedState?.reachable === true, 10_000, 'sharedState reachable');
  const up = await status();
  t.is(up.replica, 'edge-a');
  t.like(up.sharedState, { servers: [etcd.endpoint], prefix: '/edge-test', reachable: true, lastError: null });
  t.true((up.sharedState?.revision ?? 0) >= 1);
  t.like(up.conditions?.[0], { type: 'edgeway.io/SharedStateReachable', status: 'True', reason: 'EtcdReachable' });
  const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
  t.regex(metrics, /^edgeway_replica_info\{replica="edge-a"\} 1$/m);
  t.regex(metrics, /^edgeway_shared_state_up 1$/m);
  t.regex(metrics, /^edgeway_shared_state_revision [1-9]\d*$/m);

  // The Events this replica records name it.
  const events = await json<{ items: { source?: { host?: string }; reportingInstance?: string; reason: string }[] }>(
    `${gw.adminUrl}/api/v1/namespaces/default/events`,
  );
  const allocated = events.items.find((e) => e.reason === 'IPAllocated');
  t.is(allocated?.source?.host, 'edge-a');
  t.is(allocated?.reportingInstance, 'edge-a');

  await etcd.stop();
  await waitFor(async () => (await status()).sharedState?.reachable === false, 5000, 'sharedState unreachable');
  const down = await status();
  t.not(down.sharedState?.lastError, null);
  t.like(down.conditions?.[0], { type: 'edgeway.io/SharedStateReachable', status: 'False', reason: 'EtcdUnreachable' });
  t.regex(await (await fetch(`${gw.adminUrl}/metrics`)).text(), /^edgeway_shared_state_up 0$/m);
  const ready = await fetch(`${gw.adminUrl}/readyz`);
  t.is(ready.status, 200, 'still serving, so still ready');
  t.is((await fetch(gw.url, { headers: { host: 'nothing.test' } })).status, 404, 'the data plane answers');
});

test('etcd off: the replica name is still shown, and nothing about shared state', async (t) => {
  const gw = await startEdgeway(t, settings('replicaName: edge-b\n'));
  const status = await json<Status>(`${gw.adminUrl}/config/status`);
  t.is(status.replica, 'edge-b');
  t.is(status.sharedState, undefined);
  t.is(status.conditions, undefined);
  const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
  t.regex(metrics, /^edgeway_replica_info\{replica="edge-b"\} 1$/m);
  t.notRegex(metrics, /^edgeway_shared_state_up /m);
  t.notRegex(metrics, /^edgeway_shared_state_revision /m);
});
