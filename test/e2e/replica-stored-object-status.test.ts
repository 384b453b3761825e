/**
 * A bad value written into etcd by hand, as docs/scale-out.md shows it: the replica reports it once in
 * /config/status, naming the key, and keeps serving the rest. Pins a regression where the etcd layer's diagnostics
 * were listed twice (once from the build, once from the layer); a peer's unreadable file fingerprints are reported
 * the same way. Needs `npx tsc -p tsconfig.build.json` first.
 */
import test from 'ava';
import { Etcd3 } from 'etcd3';
import { startEtcd } from '../helpers/etcd.ts';
import { startReplica } from '../helpers/replica.ts';
import { waitFor } from '../helpers/servers.ts';

const KEY = '/edgeway/registry/services/default/broken';

interface StatusDiagnostic {
  readonly code: string;
  readonly message: string;
}

test('a value in etcd that is not JSON is reported once, naming its key', async (t) => {
  const etcd = await startEtcd(t);
  const replica = await startReplica(t, { name: 'replica-a', etcd: etcd.endpoint, yaml: '' });
  const client = new Etcd3({ hosts: etcd.endpoint, dialTimeout: 5000 });
  t.teardown(() => client.close());
  await client.put(KEY).value('{"apiVersion":"v1","kind":"Service"');

  const invalid = async (): Promise<StatusDiagnostic[]> =>
    ((await replica.status())['diagnostics'] as StatusDiagnostic[]).filter((d) => d.code === 'EW_STORED_OBJECT_INVALID');
  await waitFor(async () => (await invalid()).length > 0, 20_000, 'the replica to report the stored value');
  const reported = await invalid();
  t.is(reported.length, 1, JSON.stringify(reported));
  t.regex(reported[0]!.message, new RegExp(`^etcd key ${KEY}: the value is not JSON`));
  t.is((await replica.api('GET', '/api/v1/namespaces/default/services/kubernetes')).status, 200, 'the rest is served');

  await client.delete().key(KEY);
  await waitFor(async () => (await invalid()).length === 0, 20_000, 'the report to go once the value is deleted');
});

test("another replica's file fingerprints that cannot be read are reported, naming the key", async (t) => {
  const etcd = await startEtcd(t);
  const replica = await startReplica(t, { name: 'replica-a', etcd: etcd.endpoint, yaml: '' });
  const client = new Etcd3({ hosts: etcd.endpoint, dialTimeout: 5000 });
  t.teardown(() => client.close());
  const peerKey = '/edgeway/replicas/replica-b/files';
  await client.put(peerKey).value('{"Service default/web": ');

  const unreadable = async (): Promise<StatusDiagnostic[]> =>
    ((await replica.status())['diagnostics'] as StatusDiagnostic[]).filter((d) => d.code === 'EW_REPLICA_FILES_UNREADABLE');
  await waitFor(async () => (await unreadable()).length > 0, 20_000, 'the replica to report the peer value');
  const reported = await unreadable();
  t.is(reported.length, 1, JSON.stringify(reported));
  t.regex(reported[0]!.message, new RegExp(`^etcd key ${peerKey}: the value is not JSON .*replica replica-b`));

  await client.put(peerKey).value('{}');
  await waitFor(async () => (await unreadable()).length === 0, 20_000, 'the report to go once the value is readable');
});
