/**
 * Replicas sharing one allocation document in a real etcd, each with its own client and SharedAddressKeeper:
 * Services created at once through different replicas get distinct addresses, a replica never hands out another's
 * file-only Service's addresses, a deleted API Service is released only by a replica that has seen the deletion,
 * addresses survive a replica restart and an etcd restart, and 1,000 concurrent claims give no duplicate.
 */
import test, { type ExecutionContext } from 'ava';
import { Etcd3 } from 'etcd3';
import { buildPools } from '../../src/allocation/address-pool.ts';
import { allocateAll, DEFAULT_ALLOCATION_OPTIONS, type AllocationOptions } from '../../src/allocation/allocate-services.ts';
import { EtcdAllocationStore } from '../../src/allocation/etcd-allocation-store.ts';
import { serviceOrigins } from '../../src/allocation/merge-claims.ts';
import { SharedAddressKeeper } from '../../src/allocation/shared-address-keeper.ts';
import type { SharedAllocation } from '../../src/allocation/shared-allocation.ts';
import { API_ORIGIN, type LoadedObject } from '../../src/config/loaded-object.ts';
import type { Service } from '../../src/k8s/types.ts';
import { loadConfigText } from '../../src/config/load-config.ts';
import { CompileMemo } from '../../src/snapshot/compile-memo.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { loaded, pool, service } from '../fixtures/allocation-fixtures.ts';
import { docs } from '../helpers/manifests.ts';
import { type EtcdServer, startEtcd } from '../helpers/etcd.ts';

const pools = buildPools([loaded(pool('shared', ['10.1.0.0/22']))]).pools;
const reserve: AllocationOptions = { ...DEFAULT_ALLOCATION_OPTIONS, foreignClaims: 'reserve' };

interface Replica {
  readonly name: string;
  readonly keeper: SharedAddressKeeper;
  readonly store: EtcdAllocationStore;
  /** Saves refused because another replica wrote first (each one made the keeper recompile). */
  readonly conflicts: { count: number };
}

/** A replica's view of the shared state: its own etcd client (closed in teardown) and keeper. */
async function replica(t: ExecutionContext, etcd: EtcdServer, name: string): Promise<Replica> {
  const client = new Etcd3({ hosts: etcd.endpoint, dialTimeout: 5000 });
  t.teardown(() => client.close());
  const store = new EtcdAllocationStore(client, '/edgeway');
  const conflicts = { count: 0 };
  const counting = {
    loadShared: () => store.loadShared(),
    saveShared: async (document: SharedAllocation, expected: number) => {
      try {
        return await store.saveShared(document, expected);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'EW_ALLOCATION_CONFLICT') conflicts.count++;
        throw error;
      }
    },
  };
  return { name, store, conflicts, keeper: await SharedAddressKeeper.load(counting) };
}

/** The mod revision of the allocation document in etcd, as the replica's store reads it. */
async function storedRevision(r: Replica): Promise<number> {
  return (await r.store.loadShared()).revision;
}

function fromFile(name: string): LoadedObject<Service> {
  return loaded(service(name));
}

function fromApi(name: string): LoadedObject<Service> {
  return { ...loaded(service(name)), origin: API_ORIGIN };
}

/** One build step of a replica: compile its Services from the shared document, claim, recompile on conflict. */
async function build(r: Replica, services: readonly LoadedObject<Service>[], apiSeenRevision: number, maxAttempts?: number): Promise<SharedAllocation> {
  const context = { replica: r.name, origins: serviceOrigins(services), apiSeenRevision };
  const outcome = await r.keeper.claimUntilStable((previous) => allocateAll(services, pools, previous, reserve), context, maxAttempts);
  for (const [key, result] of outcome.results) {
    if (result.loadBalancer.kind !== 'assigned') throw new Error(`${r.name}: ${key} is ${JSON.stringify(result.loadBalancer)}`);
  }
  return (await r.store.loadShared()).document;
}

/** Every address of the document with its holder Service; the assertion fails on the first duplicate. */
function assertDistinct(t: ExecutionContext, document: SharedAllocation): void {
  const owner = new Map<string, string>();
  const duplicates: string[] = [];
  for (const [key, record] of Object.entries(document.services)) {
    const addresses = [
      ...record.clusterIPs.map((ip) => `clusterIP ${ip}`),
      ...record.nodePorts.map((n) => `nodePort ${n.nodePort}/${n.protocol}`),
      ...(record.loadBalancer?.ips ?? []).map((ip) => `lb ${ip}`),
    ];
    for (const a of addresses) {
      const other = owner.get(a);
      if (other !== undefined) duplicates.push(`${a}: ${other} and ${key}`);
      owner.set(a, key);
    }
  }
  t.deepEqual(duplicates, []);
}

test('50 LoadBalancer Services created at once through three replicas get 50 distinct addresses', async (t) => {
  const etcd = await startEtcd(t);
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => replica(t, etcd, n)));
  if (a === undefined || b === undefined || c === undefined) return;
  const all = Array.from({ length: 50 }, (_, i) => fromApi(`svc-${String(i).padStart(2, '0')}`));
  // Each replica has seen only the API writes made through it so far (apiSeenRevision 0: behind every claim).
  await Promise.all([build(a, all.slice(0, 17), 0), build(b, all.slice(17, 34), 0), build(c, all.slice(34), 0)]);
  t.log(`lost races recompiled: ${a.conflicts.count + b.conflicts.count + c.conflicts.count}`);
  const { document, revision } = await a.store.loadShared();
  t.is(Object.keys(document.services).length, 50);
  t.is(new Set(Object.values(document.services).map((r) => r.loadBalancer?.ips[0])).size, 50);
  t.true(Object.values(document.holders).every((h) => h.join() === 'api'));
  assertDistinct(t, document);
  // Once every replica has seen all 50, compiling them changes nothing and writes nothing.
  for (const r of [a, b, c]) t.deepEqual(await build(r, all, revision), document);
  t.is((await a.store.loadShared()).revision, revision);
});

test('a file-only Service of replica a keeps its address while b compiles without it; b never hands it out', async (t) => {
  const etcd = await startEtcd(t);
  const a = await replica(t, etcd, 'a');
  const b = await replica(t, etcd, 'b');
  const first = await build(a, [fromFile('only-a')], 0);
  const held = first.services['default/only-a'];
  t.deepEqual(first.holders['default/only-a'], ['a']);
  // b, fully caught up with the API, has its own file Service; a's is not in its store.
  await b.keeper.refresh();
  const second = await build(b, [fromFile('only-b')], await storedRevision(b));
  t.deepEqual(second.services['default/only-a'], held);
  t.deepEqual(second.holders['default/only-a'], ['a']);
  t.not(second.services['default/only-b']?.loadBalancer?.ips[0], held?.loadBalancer?.ips[0]);
  assertDistinct(t, second);
  // When a's files drop it, it is released.
  const third = await build(a, [], await storedRevision(a));
  t.is(third.services['default/only-a'], undefined);
  t.deepEqual(third.holders['default/only-b'], ['b']);
});

test('a deleted API Service is released by a replica that has seen the deletion, not by one that is behind', async (t) => {
  const etcd = await startEtcd(t);
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => replica(t, etcd, n)));
  if (a === undefined || b === undefined || c === undefined) return;
  const claimed = await build(a, [fromApi('web'), fromApi('api')], 0);
  t.truthy(claimed.services['default/web']);
  const revision = await storedRevision(a);
  // c's view of the API is one revision behind the claim: web may simply not have arrived there yet.
  await c.keeper.refresh();
  const behind = await build(c, [fromApi('api')], revision - 1);
  t.deepEqual(behind.services['default/web'], claimed.services['default/web']);
  // b has seen every API write up to the claim and web is not among its objects: it was deleted.
  await b.keeper.refresh();
  const released = await build(b, [fromApi('api')], await storedRevision(b));
  t.is(released.services['default/web'], undefined);
  t.is(released.holders['default/web'], undefined);
  t.deepEqual(released.services['default/api'], claimed.services['default/api']);
});

test('a replica restarted, and etcd restarted, keep every address', async (t) => {
  const etcd = await startEtcd(t);
  const a = await replica(t, etcd, 'a');
  const services = [fromFile('one'), fromApi('two'), fromFile('three')];
  const before = await build(a, services, 0);
  const revision = await storedRevision(a);
  // A new keeper and client, as after a restart of the replica: the same addresses, and no write.
  const restarted = await replica(t, etcd, 'a');
  t.deepEqual(restarted.keeper.previous.services, before.services);
  t.deepEqual(await build(restarted, services, revision), before);
  t.is(await storedRevision(restarted), revision, 'nothing was written');
  // etcd stopped and started on the same data dir: the document and its revision are there.
  await etcd.stop();
  await etcd.start();
  const afterEtcd = await replica(t, etcd, 'a');
  t.is(await storedRevision(afterEtcd), revision);
  t.deepEqual(await build(afterEtcd, services, revision), before);
});

test('1,000 Services claimed concurrently by three keepers, in batches: no address is handed out twice', async (t) => {
  const etcd = await startEtcd(t);
  const replicas = await Promise.all(['a', 'b', 'c'].map((n) => replica(t, etcd, n)));
  const total = 1000;
  const batch = 50;
  const started = performance.now();
  await Promise.all(
    replicas.map(async (r, index) => {
      const mine: LoadedObject<Service>[] = [];
      for (let i = index; i < total; i += replicas.length) {
        mine.push(fromFile(`race-${String(i).padStart(4, '0')}`));
        // More attempts than a build step gets: on a loaded test machine one keeper may lose many races in a row,
        // and what this test checks is that no claim, however often retried, duplicates an address.
        if (mine.length % batch === 0 || i + replicas.length >= total) await build(r, [...mine], 0, 50);
      }
    }),
  );
  const conflicts = replicas.reduce((n, r) => n + r.conflicts.count, 0);
  t.log(`${total} Services in ${Math.round(performance.now() - started)} ms, ${conflicts} lost races recompiled`);
  const { document } = await replicas[0]!.store.loadShared();
  t.is(Object.keys(document.services).length, total);
  assertDistinct(t, document);
});

function lbService(name: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: default
spec:
  type: LoadBalancer
  selector:
    app: ${name}
  ports:
    - port: 8080
`;
}

const POOL_YAML = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: edge
  namespace: metallb-system
spec:
  addresses:
    - 127.241.0.1-127.241.0.20
`;

test("compileSnapshot from manifests with foreignClaims reserve: two replicas' files, one shared Service", async (t) => {
  const etcd = await startEtcd(t);
  const [a, b] = await Promise.all(['a', 'b'].map((n) => replica(t, etcd, n)));
  if (a === undefined || b === undefined) return;
  const now = new Date('2026-01-02T03:04:05Z');
  const snapshots = await Promise.all(
    [
      [a, docs(POOL_YAML, lbService('web-a'), lbService('shared'))],
      [b, docs(POOL_YAML, lbService('web-b'), lbService('shared'))],
    ].map(async ([r, yaml]) => {
      const { keeper, name } = r as Replica;
      const load = loadConfigText([{ path: `${name}.yaml`, text: yaml as string }]);
      t.deepEqual(load.diagnostics, []);
      const store = new ObjectStore(load.objects);
      const memo = new CompileMemo();
      let generation = 0;
      const context = { replica: name, origins: serviceOrigins(store.list<Service>('Service')), apiSeenRevision: 0 };
      return keeper.claimUntilStable((previous) => compileSnapshot(store, load.settings, ++generation, previous, now, [], memo, 'reserve'), context);
    }),
  );
  const ipOf = (i: number, key: string): string | undefined => {
    const lb = snapshots[i]?.addresses.services.get(key)?.loadBalancer;
    return lb?.kind === 'assigned' ? lb.ips[0] : undefined;
  };
  const { document } = await a.store.loadShared();
  assertDistinct(t, document);
  t.deepEqual(document.holders['default/shared'], ['a', 'b']);
  t.deepEqual(document.holders['default/web-a'], ['a']);
  t.deepEqual(document.holders['default/web-b'], ['b']);
  // Whoever claimed second compiled from the first one's claim: both serve the shared Service on one address.
  const shared = document.services['default/shared']?.loadBalancer?.ips[0];
  t.truthy(shared);
  t.is(ipOf(0, 'default/shared'), shared);
  t.is(ipOf(1, 'default/shared'), shared);
  t.is(ipOf(0, 'default/web-a'), document.services['default/web-a']?.loadBalancer?.ips[0]);
  t.is(ipOf(1, 'default/web-b'), document.services['default/web-b']?.loadBalancer?.ips[0]);
  await Promise.all([a.keeper.refresh(), b.keeper.refresh()]);
  t.deepEqual(a.keeper.previous, b.keeper.previous);
});
