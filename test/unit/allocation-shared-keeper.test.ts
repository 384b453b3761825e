/**
 * SharedAddressKeeper over an in-memory store with etcd's compare-and-swap rule (the real etcd is in
 * test/e2e/shared-allocation-etcd.test.ts): no write when nothing changed, a lost race refreshes and recompiles, a
 * compile that did not reserve others' claims is never saved, and too many lost races end in EW_ALLOCATION_CONFLICT.
 */
import test from 'ava';
import { buildPools } from '../../src/allocation/address-pool.ts';
import { allocateAll, DEFAULT_ALLOCATION_OPTIONS, type AllocationOptions } from '../../src/allocation/allocate-services.ts';
import type { AllocationState } from '../../src/allocation/allocation-state.ts';
import { AllocationConflictError } from '../../src/allocation/allocation-store.ts';
import type { StoredSharedAllocation } from '../../src/allocation/etcd-allocation-store.ts';
import { claimCollisions, type ClaimContext, serviceOrigins } from '../../src/allocation/merge-claims.ts';
import { SharedAddressKeeper, type SharedAllocationStore } from '../../src/allocation/shared-address-keeper.ts';
import { EMPTY_SHARED_ALLOCATION, type SharedAllocation } from '../../src/allocation/shared-allocation.ts';
import { loaded, pool, service } from '../fixtures/allocation-fixtures.ts';

const pools = buildPools([loaded(pool('p', ['10.0.0.1-10.0.0.9']))]).pools;
const reserve: AllocationOptions = { ...DEFAULT_ALLOCATION_OPTIONS, foreignClaims: 'reserve' };

/** One document and a revision that every save bumps; `beforeSave` lets a test write in between, as a rival would. */
class MemoryStore implements SharedAllocationStore {
  stored: StoredSharedAllocation = { document: EMPTY_SHARED_ALLOCATION, revision: 0 };
  saves = 0;
  beforeSave: (() => void) | undefined;

  async loadShared(): Promise<StoredSharedAllocation> {
    return this.stored;
  }

  async saveShared(document: SharedAllocation, expected: number): Promise<number> {
    this.beforeSave?.();
    if (expected !== this.stored.revision) throw new AllocationConflictError('memory', expected, this.stored.revision);
    this.saves++;
    this.stored = { document: JSON.parse(JSON.stringify(document)) as SharedAllocation, revision: this.stored.revision + 1 };
    return this.stored.revision;
  }
}

const services = [loaded(service('web'))];
const context: ClaimContext = { replica: 'a', origins: serviceOrigins(services), apiSeenRevision: 0 };
const compile = (previous: AllocationState) => allocateAll(services, pools, previous, reserve);

test('a claim writes once; claiming the same again writes nothing', async (t) => {
  const store = new MemoryStore();
  const keeper = await SharedAddressKeeper.load(store);
  const first = await keeper.claimUntilStable(compile, context);
  t.is(store.saves, 1);
  t.is(store.stored.revision, 1);
  t.deepEqual(keeper.previous.services, first.state.services);
  t.deepEqual(await keeper.claim(compile(keeper.previous).state, context), { claimed: true, revision: 1 });
  // A restarted keeper reads the parsed document back and still finds nothing to write.
  const again = await SharedAddressKeeper.load(store);
  await again.claimUntilStable(compile, context);
  t.is(store.saves, 1);
});

test('a lost race refreshes; claimUntilStable compiles again around the rival claim', async (t) => {
  const store = new MemoryStore();
  const keeper = await SharedAddressKeeper.load(store);
  const rival = [loaded(service('rival'))];
  store.beforeSave = () => {
    store.beforeSave = undefined;
    // Another replica claims the same first address in between.
    const state = allocateAll(rival, pools, { version: 1, services: {} }, reserve).state;
    store.stored = { document: { version: 1, services: state.services, holders: { 'default/rival': ['b'] } }, revision: 7 };
  };
  let compiles = 0;
  const claimed = await keeper.claimUntilStable((previous) => {
    compiles++;
    return compile(previous);
  }, context);
  t.is(compiles, 2);
  t.deepEqual(claimed.state.services['default/web']?.loadBalancer?.ips, ['10.0.0.2']);
  t.deepEqual(Object.keys(store.stored.document.services), ['default/rival', 'default/web']);
  t.is(store.stored.revision, 8);
});

test('a compile that did not reserve the claims in the document is not saved', async (t) => {
  const store = new MemoryStore();
  const theirs = allocateAll([loaded(service('theirs'))], pools, { version: 1, services: {} }).state;
  store.stored = { document: { version: 1, services: theirs.services, holders: { 'default/theirs': ['b'] } }, revision: 3 };
  const keeper = await SharedAddressKeeper.load(store);
  const careless = allocateAll(services, pools, keeper.previous).state; // 'release': takes the other claim's addresses
  t.true(claimCollisions({ ...store.stored.document, services: { ...theirs.services, ...careless.services } }, careless).length > 0);
  t.deepEqual(await keeper.claim(careless, context), { claimed: false });
  t.is(store.saves, 0);
  t.true((await keeper.claim(compile(keeper.previous).state, context)).claimed);
});

test('after maxAttempts lost races the claim fails with EW_ALLOCATION_CONFLICT', async (t) => {
  const store = new MemoryStore();
  const keeper = await SharedAddressKeeper.load(store);
  store.beforeSave = () => {
    store.stored = { ...store.stored, revision: store.stored.revision + 1 };
  };
  const error = await t.throwsAsync(keeper.claimUntilStable(compile, context, 3), { instanceOf: AllocationConflictError });
  t.is(error?.code, 'EW_ALLOCATION_CONFLICT');
  t.is(store.saves, 0);
});

test('"api" is not a replica name', async (t) => {
  const keeper = await SharedAddressKeeper.load(new MemoryStore());
  await t.throwsAsync(keeper.claim(compile(keeper.previous).state, { ...context, replica: 'api' }), { instanceOf: TypeError });
});
