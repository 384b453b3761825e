/** The state-dir allocation store: revisions count saves, and a save from a stale revision is refused whole. */
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocateAll } from '../../src/allocation/allocate-services.ts';
import { buildPools } from '../../src/allocation/address-pool.ts';
import { EMPTY_ALLOCATION_STATE } from '../../src/allocation/allocation-state.ts';
import { AllocationConflictError } from '../../src/allocation/allocation-store.ts';
import { FileAllocationStore } from '../../src/allocation/file-allocation-store.ts';
import { STATE_FILE_NAME } from '../../src/allocation/state-file.ts';
import { loaded, service } from '../fixtures/allocation-fixtures.ts';

async function stateDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'edgeway-store-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const pools = buildPools([]).pools;
const one = allocateAll([loaded(service('web'))], pools, EMPTY_ALLOCATION_STATE).state;
const two = allocateAll([loaded(service('web')), loaded(service('api'))], pools, EMPTY_ALLOCATION_STATE).state;

test('an empty store is the empty state at revision 0, and each save is one revision higher', async (t) => {
  const store = new FileAllocationStore(join(await stateDir(t), 'not-yet'));
  t.deepEqual(await store.load(), { state: EMPTY_ALLOCATION_STATE, revision: 0 });
  t.is(await store.save(one, 0), 1);
  t.is(await store.save(two, 1), 2);
  t.deepEqual(await store.load(), { state: two, revision: 2 });
});

test('a save from a stale revision is refused with EW_ALLOCATION_CONFLICT and writes nothing', async (t) => {
  const dir = await stateDir(t);
  const mine = new FileAllocationStore(dir);
  const theirs = new FileAllocationStore(dir);
  const read = await mine.load();
  t.is(await theirs.save(two, read.revision), 1);
  const error = await t.throwsAsync(mine.save(one, read.revision), { instanceOf: AllocationConflictError });
  t.is(error?.code, 'EW_ALLOCATION_CONFLICT');
  t.is(error?.expected, 0);
  t.is(error?.actual, 1);
  t.deepEqual(await mine.load(), { state: two, revision: 1 });
  // The caller recomputes from what it loads again, and that save goes through.
  t.is(await mine.save(one, 1), 2);
});

test('of two saves from the same revision, only the first is written', async (t) => {
  const store = new FileAllocationStore(await stateDir(t));
  const [first, second] = await Promise.allSettled([store.save(one, 0), store.save(two, 0)]);
  t.deepEqual(first, { status: 'fulfilled', value: 1 });
  t.is(second.status, 'rejected');
  t.deepEqual(await store.load(), { state: one, revision: 1 });
});

test('a file written without a revision reads as revision 0 and keeps its records', async (t) => {
  const dir = await stateDir(t);
  await writeFile(join(dir, STATE_FILE_NAME), JSON.stringify(one));
  const store = new FileAllocationStore(dir);
  t.deepEqual(await store.load(), { state: one, revision: 0 });
  t.is(await store.save(two, 0), 1);
  t.regex(await readFile(join(dir, STATE_FILE_NAME), 'utf8'), /^\{\n {2}"version": 1,\n {2}"revision": 1,/);
});

test('a bad revision is a corrupt file', async (t) => {
  const dir = await stateDir(t);
  await writeFile(join(dir, STATE_FILE_NAME), JSON.stringify({ ...one, revision: -1 }));
  const error = await t.throwsAsync(new FileAllocationStore(dir).load());
  t.is((error as { code?: string } | undefined)?.code, 'EW_STATE_CORRUPT');
});
