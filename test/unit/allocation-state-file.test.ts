import test from 'ava';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocateAll } from '../../src/allocation/allocate-services.ts';
import { buildPools } from '../../src/allocation/address-pool.ts';
import { EMPTY_ALLOCATION_STATE } from '../../src/allocation/allocation-state.ts';
import { loadAllocationState, saveAllocationState, STATE_FILE_NAME, StateCorruptError } from '../../src/allocation/state-file.ts';
import { loaded, service } from '../fixtures/allocation-fixtures.ts';

async function stateDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'edgeway-alloc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const services = [
  loaded(service('web', { annotations: { 'metallb.io/allow-shared-ip': 'k' } })),
  loaded(service('dns', { type: 'NodePort', ports: [{ port: 53, protocol: 'UDP' }] })),
  loaded(service('db', { type: 'ClusterIP', spec: { clusterIP: 'None' } })),
];

test('a missing file is the empty state', async (t) => {
  const dir = await stateDir(t);
  t.deepEqual(await loadAllocationState(dir), EMPTY_ALLOCATION_STATE);
});

test('round trip: a restart with the same state dir keeps every address', async (t) => {
  const dir = await stateDir(t);
  const pools = buildPools([]).pools;
  const first = allocateAll(services, pools, EMPTY_ALLOCATION_STATE);
  await saveAllocationState(dir, first.state);
  const reloaded = await loadAllocationState(dir);
  t.deepEqual(reloaded, first.state);
  // After a restart, a new Service that sorts first must not take anyone's address.
  const second = allocateAll([loaded(service('aaa')), ...services], pools, reloaded);
  for (const [key, record] of Object.entries(first.state.services)) t.deepEqual(second.state.services[key], record, key);
});

test('atomic writes leave no temporary files, and overwrite the previous state', async (t) => {
  const dir = await stateDir(t);
  const pools = buildPools([]).pools;
  await saveAllocationState(dir, allocateAll(services, pools, EMPTY_ALLOCATION_STATE).state);
  const second = allocateAll(services.slice(1), pools, EMPTY_ALLOCATION_STATE).state;
  await Promise.all([saveAllocationState(dir, second), saveAllocationState(dir, second)]);
  t.deepEqual(await readdir(dir), [STATE_FILE_NAME]);
  t.deepEqual(await loadAllocationState(dir), second);
  t.true((await readFile(join(dir, STATE_FILE_NAME), 'utf8')).startsWith('{\n  "version": 1,'));
});

test('a failed rename removes its temporary file', async (t) => {
  const dir = await stateDir(t);
  // A non-empty directory where the file should be: the rename over it fails after the temp file was written.
  await mkdir(join(dir, STATE_FILE_NAME));
  await writeFile(join(dir, STATE_FILE_NAME, 'keep'), '');
  await t.throwsAsync(saveAllocationState(dir, EMPTY_ALLOCATION_STATE));
  t.deepEqual(await readdir(dir), [STATE_FILE_NAME]);
});

const corrupt: [string, string, RegExp][] = [
  ['truncated JSON', '{"version": 1, "serv', /is not valid JSON/],
  ['not an object', '[1, 2]', /does not hold a JSON object/],
  ['no version', '{"services": {}}', /has no format version/],
  ['newer version', '{"version": 2, "services": {}}', /format version 2, which this edgeway does not know/],
  [
    'bad IP',
    '{"version": 1, "services": {"default/a": {"clusterIPs": ["10.0.0.300"], "nodePorts": [], "loadBalancer": null}}}',
    /bad record for Service "default\/a" \(clusterIPs\)/,
  ],
  ['bad key', '{"version": 1, "services": {"nonamespace": {"clusterIPs": [], "nodePorts": [], "loadBalancer": null}}}', /bad record for Service "nonamespace"/],
  [
    'bad nodePort',
    '{"version": 1, "services": {"default/a": {"clusterIPs": [], "nodePorts": [{"port": 80, "protocol": "HTTP", "nodePort": 30000}], "loadBalancer": null}}}',
    /\(nodePorts\)/,
  ],
  ['bad loadBalancer', '{"version": 1, "services": {"default/a": {"clusterIPs": [], "nodePorts": [], "loadBalancer": {"ips": []}}}}', /\(loadBalancer\)/],
];
for (const [name, content, problem] of corrupt) {
  test(`a corrupt file stops the start with EW_STATE_CORRUPT: ${name}`, async (t) => {
    const dir = await stateDir(t);
    const file = join(dir, STATE_FILE_NAME);
    await writeFile(file, content);
    const error = await t.throwsAsync(loadAllocationState(dir), { instanceOf: StateCorruptError });
    t.is((error as StateCorruptError).code, 'EW_STATE_CORRUPT');
    t.regex(error?.message ?? '', problem);
    t.true(error?.message.startsWith(`${file}: `));
    t.true(error?.message.includes(`mv ${file} ${file}.bad`));
    t.is(await readFile(file, 'utf8'), content, 'the file is left as it was');
  });
}

test('an unreadable state file is reported as EW_STATE_CORRUPT too', async (t) => {
  const dir = await stateDir(t);
  // A directory where the file should be: reading it fails with EISDIR on every platform.
  await mkdir(join(dir, STATE_FILE_NAME));
  const error = await t.throwsAsync(loadAllocationState(dir), { instanceOf: StateCorruptError });
  t.regex(error?.message ?? '', /cannot be read/);
});
