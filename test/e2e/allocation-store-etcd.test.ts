/**
 * The etcd allocation store against a real etcd: revisions are etcd's mod revisions, a save from a stale revision is
 * refused whole, of two replicas saving at once exactly one wins, and the state survives an etcd restart.
 */
import test, { type ExecutionContext } from 'ava';
import { Etcd3 } from 'etcd3';
import { allocateAll } from '../../src/allocation/allocate-services.ts';
import { buildPools } from '../../src/allocation/address-pool.ts';
import { EMPTY_ALLOCATION_STATE } from '../../src/allocation/allocation-state.ts';
import { AllocationConflictError } from '../../src/allocation/allocation-store.ts';
import { EtcdAllocationStore } from '../../src/allocation/etcd-allocation-store.ts';
import { loaded, service } from '../fixtures/allocation-fixtures.ts';
import { type EtcdServer, startEtcd } from '../helpers/etcd.ts';

const pools = buildPools([]).pools;
const one = allocateAll([loaded(service('web'))], pools, EMPTY_ALLOCATION_STATE).state;
const two = allocateAll([loaded(service('web')), loaded(service('api'))], pools, EMPTY_ALLOCATION_STATE).state;

/** A client of its own, as each replica has; closed in teardown. */
function client(t: ExecutionContext, etcd: EtcdServer): Etcd3 {
  const c = new Etcd3({ hosts: etcd.endpoint, dialTimeout: 5000 });
  t.teardown(() => c.close());
  return c;
}

test('an empty store is the empty state at revision 0; a save round-trips at a higher revision', async (t) => {
  const etcd = await startEtcd(t);
  const store = new EtcdAllocationStore(client(t, etcd), '/edgeway/');
  t.is(store.key, '/edgeway/allocations');
  t.deepEqual(await store.load(), { state: EMPTY_ALLOCATION_STATE, revision: 0 });
  const first = await store.save(one, 0);
  t.true(first > 0);
  t.deepEqual(await store.load(), { state: one, revision: first });
  const second = await store.save(two, first);
  t.true(second > first);
  t.deepEqual(await store.load(), { state: two, revision: second });
});

test('a save from a stale revision is refused with EW_ALLOCATION_CONFLICT and writes nothing', async (t) => {
  const etcd = await startEtcd(t);
  const mine = new EtcdAllocationStore(client(t, etcd), '/edgeway');
  const theirs = new EtcdAllocationStore(client(t, etcd), '/edgeway');
  const read = await mine.load();
  const theirRevision = await theirs.save(two, read.revision);
  const error = await t.throwsAsync(mine.save(one, read.revision), { instanceOf: AllocationConflictError });
  t.is(error?.code, 'EW_ALLOCATION_CONFLICT');
  t.is(error?.expected, 0);
  t.is(error?.actual, theirRevision);
  t.deepEqual(await mine.load(), { state: two, revision: theirRevision });
  // The caller loads again and recomputes; that save goes through.
  t.true((await mine.save(one, theirRevision)) > theirRevision);
});

test('two replicas saving from the same revision at once: exactly one wins', async (t) => {
  const etcd = await startEtcd(t);
  const a = new EtcdAllocationStore(client(t, etcd), '/edgeway');
  const b = new EtcdAllocationStore(client(t, etcd), '/edgeway');
  const results = await Promise.allSettled([a.save(one, 0), b.save(two, 0)]);
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r) => r.status === 'rejected');
  t.is(won.length, 1);
  t.is(lost.length, 1);
  const [winner] = won as PromiseFulfilledResult<number>[];
  const [loser] = lost;
  if (winner === undefined || loser === undefined) return;
  t.is((loser.reason as AllocationConflictError).code, 'EW_ALLOCATION_CONFLICT');
  const stored = await a.load();
  t.is(stored.revision, winner.value);
  t.deepEqual(stored.state, results[0]?.status === 'fulfilled' ? one : two);
});

test('the state survives an etcd restart on the same data dir', async (t) => {
  const etcd = await startEtcd(t);
  const before = new EtcdAllocationStore(client(t, etcd), '/edgeway');
  const revision = await before.save(two, 0);
  await etcd.stop();
  await etcd.start();
  const after = new EtcdAllocationStore(client(t, etcd), '/edgeway');
  t.deepEqual(await after.load(), { state: two, revision });
  t.true((await after.save(one, revision)) > revision);
});

test('stores under other prefixes do not see each other', async (t) => {
  const etcd = await startEtcd(t);
  const c = client(t, etcd);
  await new EtcdAllocationStore(c, '/blue').save(one, 0);
  t.deepEqual(await new EtcdAllocationStore(c, '/green').load(), { state: EMPTY_ALLOCATION_STATE, revision: 0 });
});

test('a value that is not an allocation state is refused with EW_STATE_CORRUPT, not read as empty', async (t) => {
  const etcd = await startEtcd(t);
  const c = client(t, etcd);
  await c.put('/edgeway/allocations').value('{"version": 2}');
  const error = await t.throwsAsync(new EtcdAllocationStore(c, '/edgeway').load());
  t.is((error as Error & { code?: string }).code, 'EW_STATE_CORRUPT');
  t.regex(error?.message ?? '', /etcd key \/edgeway\/allocations/);
});
