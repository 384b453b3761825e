/**
 * The etcd object layer against a real etcd, two layers standing for two replicas: what one writes the other lists
 * through its watch, a write computed from a stale listing never overwrites what it has not seen, a bad value is
 * reported by key and the rest is served, and a replica cut off while the revisions it needs are compacted lists
 * again and converges.
 */
import test, { type ExecutionContext } from 'ava';
import type { Etcd3 } from 'etcd3';
import { closeEtcd, openEtcd } from '../../src/shared/etcd-client.ts';
import type { KubeObject } from '../../src/k8s/types.ts';
import { upsert } from '../../src/store/applied-layer.ts';
import { EtcdObjectLayer } from '../../src/store/etcd-object-layer.ts';
import { startEtcd } from '../helpers/etcd.ts';
import { waitFor } from '../helpers/servers.ts';
import { tcpLink } from '../helpers/tcp-link.ts';

const service = (name: string, port = 80): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ port }] } }) as KubeObject;

/** A client closed in teardown (closeEtcd, so no reconnect timer outlives the test). */
function client(t: ExecutionContext, endpoint: string): Etcd3 {
  const c = openEtcd({ servers: [endpoint], prefix: '/edgeway', caFile: null, certFile: null, keyFile: null });
  t.teardown(() => closeEtcd(c));
  return c;
}

async function layer(t: ExecutionContext, endpoint: string, replica: string, changes?: string[]): Promise<EtcdObjectLayer> {
  const l = new EtcdObjectLayer(client(t, endpoint), { prefix: '/edgeway', replica, timeoutMs: 1500, reachability: (up) => changes?.push(up ? 'up' : 'down') });
  t.teardown(() => l.close());
  await l.start();
  return l;
}

const names = async (l: EtcdObjectLayer): Promise<string[]> =>
  (await l.list()).objects.map((o) => `${o.object.metadata.name}@${o.object.metadata.resourceVersion}`);

test('a write through one replica is listed by the other, with its mod revision', async (t) => {
  const etcd = await startEtcd(t);
  const a = await layer(t, etcd.endpoint, 'a');
  const b = await layer(t, etcd.endpoint, 'b');
  await a.list();
  await a.update(
    (objects) => upsert(objects, service('web')),
    async () => undefined,
  );
  const revision = await b.sync();
  t.true(revision !== null);
  const listed = await b.list();
  t.is(listed.objects.length, 1);
  const rv = Number(listed.objects[0]!.object.metadata.resourceVersion);
  t.true(rv > 0 && rv < revision!, `mod revision ${rv} is below the sync point ${revision}`);
  t.like(listed.objects[0]!.object.metadata, { uid: listed.objects[0]!.object.metadata.uid, generation: 1 });
  t.regex(listed.objects[0]!.object.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
});

test('a write computed from a stale listing is computed again, never overwriting what it did not see', async (t) => {
  const etcd = await startEtcd(t);
  const a = await layer(t, etcd.endpoint, 'a');
  const b = await layer(t, etcd.endpoint, 'b');
  await a.list();
  await b.list(); // b's listing is now stale: it has not seen what a writes next
  await a.update(
    (objects) => upsert(objects, service('web', 80)),
    async () => undefined,
  );
  const seenByB: number[] = [];
  await b
    .update(
      (objects) => {
        seenByB.push(objects.length);
        // A create that must not replace an existing object, as the API's create checks.
        if (objects.some((o) => o.metadata.name === 'web')) throw new Error('already exists');
        return upsert(objects, service('web', 9090));
      },
      () => b.list(),
    )
    .then(
      () => t.fail('the second create was stored'),
      (error: Error) => t.is(error.message, 'already exists'),
    );
  t.deepEqual(seenByB, [0, 1]);
  await b.sync();
  const [web] = (await b.list()).objects;
  t.is((web!.object['spec'] as { ports: { port: number }[] }).ports[0]!.port, 80);
});

test('a value edgeway cannot serve is reported by key; the others are served', async (t) => {
  const etcd = await startEtcd(t);
  const direct = client(t, etcd.endpoint);
  await direct.put('/edgeway/registry/services/default/ok').value(JSON.stringify(service('ok')));
  await direct.put('/edgeway/registry/services/default/broken').value('{oops');
  const a = await layer(t, etcd.endpoint, 'a');
  t.deepEqual(
    (await a.list()).objects.map((o) => o.object.metadata.name),
    ['ok'],
  );
  t.is(a.diagnostics.length, 1);
  t.regex(a.diagnostics[0]!.message, /^etcd key \/edgeway\/registry\/services\/default\/broken: the value is not JSON/);
});

test('cut off while its revisions are compacted, a replica lists again and converges', async (t) => {
  const etcd = await startEtcd(t);
  const link = await tcpLink(t, etcd.endpoint);
  const changes: string[] = [];
  const a = await layer(t, etcd.endpoint, 'a');
  const b = await layer(t, link.url, 'b', changes);
  await a.list();
  await a.update(
    (objects) => upsert(objects, service('before')),
    async () => undefined,
  );
  await b.sync();
  t.deepEqual(
    (await names(b)).map((n) => n.split('@')[0]),
    ['before'],
  );

  link.cut();
  await waitFor(() => changes.includes('down'), 10_000, 'the cut replica to notice');
  await a.list();
  await a.update(
    (objects) =>
      upsert(
        objects.filter((o) => o.metadata.name !== 'before'),
        service('after'),
      ),
    async () => undefined,
  );
  await a.sync();
  await a.list();
  await a.update(
    (objects) => upsert(objects, service('later')),
    async () => undefined,
  );
  // Compacted past the revisions the cut replica has not seen, as a periodic compaction would.
  const direct = client(t, etcd.endpoint);
  const { header } = await direct.get('/edgeway/registry/services/default/later').exec();
  await direct.kv.compact({ revision: header.revision, physical: true });
  t.is(await b.sync(), null, 'a cut replica has no sync point');
  t.deepEqual(
    (await names(b)).map((n) => n.split('@')[0]),
    ['before'],
    'and keeps listing what it saw',
  );

  link.restore();
  await waitFor(async () => (await b.sync()) !== null && (await names(b)).join() === (await names(a)).join(), 15_000, 'the replica to list again');
  t.deepEqual(
    (await names(b)).map((n) => n.split('@')[0]),
    ['after', 'later'],
  );
  t.is(changes.at(-1), 'up', 'and reports etcd reachable again');
});
