/**
 * The etcd allocation store against a real etcd: revisions are etcd's mod revisions, a save from a stale revision is
 * refused whole, of two replicas saving at once exactly one wins, and the document survives an etcd restart.
 */
import test, { type ExecutionContext } from 'ava';
import { Etcd3 } from 'etcd3';
import { allocateAll } from '../../src/allocation/allocate-services.ts';
import { buildPools } from '../../src/allocation/address-pool.ts';
import { EMPTY_ALLOCATION_STATE } from '../../src/allocation/allocation-state.ts';
import { AllocationConflictError } from '../../src/allocation/allocation-store.ts';
import { EtcdAllocationStore } from '../../src/allocation/etcd-allocation-store.ts';
import { EMPTY_SHARED_ALLOCATION, type SharedAllocation } from '../../src/allocation/shared-allocation.ts';
import { loaded, service } from '../fixtures/allocation-fixtures.ts';
import { type EtcdServer, startEtcd } from '../helpers/etcd.ts';

const pools = buildPools([]).pools;
/** The Services' records, each held by replica `a`. */
function document(names: readonly string[]): SharedAllocation {
  const { services } = allocateAll(
    names.map((n) => loaded(service(n))),
    pools,
    EMPTY_ALLOCATION_STATE,
  ).state;
  return { version: 1, services, holders: Object.fromEntries(Object.keys(services).map((key) => [key, ['a']])) };
}
const one = document(['web']);
const two = document(['web', 'api']);
const empty = { document: EMPTY_SHARED_ALLOCATION, revision: 0 };

/** A client of its own, as each replica has; closed in teardown. */
function client(t: ExecutionContext, etcd: EtcdServer): Etcd3 {
  const c = new Etcd3({ hosts: etcd.endpoint, dialTimeout: 5000 });
  t.teardown(() => c.close());
  return c;
}

test('an empty store is the empty document at revision 0; a save round-trips at a higher revision', async (t) => {
  const etcd = await startEtcd(t);
  const store = new EtcdAllocationStore(client(t, etcd), '/edgeway/');
  t.is(store.key, '/edgeway/allocations');
  t.deepEqual(await store.loadShared(), empty);
  const first = await store.saveShared(one, 0);
  t.true(first > 0);
  t.deepEqual(await store.loadShared(), { document: one, revision: first });
  const second = await store.saveShared(two, first);
  t.true(second > first);
  t.deepEqual(await store.loadShared(), { document: two, revision: second });
});

test('a save from a stale revision is refused with EW_ALLOCATION_CONFLICT and writes nothing', async (t) => {
  const etcd = await startEtcd(t);
  const mine = new EtcdAllocationStore(client(t, etcd), '/edgeway');
  const theirs = new EtcdAllocationStore(client(t, etcd), '/edgeway');
  const read = await mine.loadShared();
  const theirRevision = await theirs.saveShared(two, read.revision);
  const error = await t.throwsAsync(mine.saveShared(one, read.revision), { instanceOf: AllocationConflictError });
  t.is(error?.code, 'EW_ALLOCATION_CONFLICT');
  t.is(error?.expected, 0);
  t.is(error?.actual, theirRevision);
  t.deepEqual(await mine.loadShared(), { document: two, revision: theirRevision });
  // The caller loads again and recomputes; that save goes through.
  t.true((await mine.saveShared(one, theirRevision)) > theirRevision);
});

test('two replicas saving from the same revision at once: exactly one wins', async (t) => {
  const etcd = await startEtcd(t);
  const a = new EtcdAllocationStore(client(t, etcd), '/edgeway');
  const b = new EtcdAllocationStore(client(t, etcd), '/edgeway');
  const results = await Promise.allSettled([a.saveShared(one, 0), b.saveShared(two, 0)]);
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r) => r.status === 'rejected');
  t.is(won.length, 1);
  t.is(lost.length, 1);
  const [winner] = won as PromiseFulfilledResult<number>[];
  const [loser] = lost;
  if (winner === undefined || loser === undefined) return;
  t.is((loser.reason as AllocationConflictError).code, 'EW_ALLOCATION_CONFLICT');
  const stored = await a.loadShared();
  t.is(stored.revision, winner.value);
  t.deepEqual(stored.document, results[0]?.status === 'fulfilled' ? one : two);
});

test('the document survives an etcd restart on the same data dir', async (t) => {
  const etcd = await startEtcd(t);
  const before = new EtcdAllocationStore(client(t, etcd), '/edgeway');
  const revision = await before.saveShared(two, 0);
  await etcd.stop();
  await etcd.start();
  const after = new EtcdAllocationStore(client(t, etcd), '/edgeway');
  t.deepEqual(await after.loadShared(), { document: two, revision });
  t.true((await after.saveShared(one, revision)) > revision);
});

test('stores under other prefixes do not see each other', async (t) => {
  const etcd = await startEtcd(t);
  const c = client(t, etcd);
  await new EtcdAllocationStore(c, '/blue').saveShared(one, 0);
  t.deepEqual(await new EtcdAllocationStore(c, '/green').loadShared(), empty);
});

test('a value that is not an allocation state is refused with EW_STATE_CORRUPT, not read as empty', async (t) => {
  const etcd = await startEtcd(t);
  const c = client(t, etcd);
  await c.put('/edgeway/allocations').value('{"version": 2}');
  const error = await t.throwsAsync(new EtcdAllocationStore(c, '/edgeway').loadShared());
  t.is((error as Error & { code?: string }).code, 'EW_STATE_CORRUPT');
  t.regex(error?.message ?? '', /etcd key \/edgeway\/allocations/);
});
