/**
 * The liveness probe against a real etcd: reachable while it runs, unreachable within about two seconds of it
 * stopping (the client fails fast rather than hanging), and reachable again after it restarts on the same data dir.
 */
import test from 'ava';
import { openEtcd } from '../../src/shared/etcd-client.ts';
import { EtcdLiveness } from '../../src/shared/etcd-liveness.ts';
import { SharedStateHealth, type SharedStateView } from '../../src/shared/shared-state-health.ts';
import { startEtcd } from '../helpers/etcd.ts';
import { waitFor } from '../helpers/servers.ts';

test('up while etcd runs, down within ~2 s of stopping it, up again after a restart', async (t) => {
  const etcd = await startEtcd(t);
  const settings = { servers: [etcd.endpoint], prefix: '/edgeway', caFile: null, certFile: null, keyFile: null };
  const client = openEtcd(settings);
  t.teardown(() => client.close());
  const health = new SharedStateHealth(settings);
  const changes: (boolean | null)[] = [];
  health.onChange((view: SharedStateView) => changes.push(view.reachable));
  t.is(health.reachable, null);
  const liveness = new EtcdLiveness(client, health, settings.prefix);
  t.teardown(() => liveness.close());

  await waitFor(() => health.reachable === true, 10_000, 'etcd to be seen reachable');
  await client.put('/edgeway/x').value('1');
  await waitFor(() => health.revision >= 2, 5000, 'the revision of the put to be seen');
  const seen = health.revision;

  await etcd.stop();
  const stoppedAt = Date.now();
  await waitFor(() => health.reachable === false, 5000, 'etcd to be seen unreachable');
  t.true(Date.now() - stoppedAt < 2500, `noticed after ${Date.now() - stoppedAt} ms`);
  const down = health.view();
  t.not(down.lastError, null);
  t.is(down.revision, seen, 'the last revision seen is kept while etcd is away');
  t.deepEqual(down.servers, [etcd.endpoint]);
  t.is(down.prefix, '/edgeway');

  await etcd.start();
  await waitFor(() => health.reachable === true, 15_000, 'etcd to be seen reachable again');
  t.true(health.revision >= seen);
  t.deepEqual(changes, [true, false, true]);
  t.not(health.view().lastError, null, 'the last failure stays visible after recovery');
});
