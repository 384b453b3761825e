/**
 * The object sources: the configuration files (list with a revision, changes reported after one, the applied
 * layer's objects marked as API objects) and the applied layer on its own.
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ParseCache } from '../../src/config/parse-cache.ts';
import { AppliedLayer, upsert } from '../../src/store/applied-layer.ts';
import { FileObjectSource } from '../../src/store/file-object-source.ts';
import type { KubeObject } from '../../src/k8s/types.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { docs, serviceWithEndpoints } from '../helpers/manifests.ts';
import { waitFor } from '../helpers/servers.ts';

const apiService: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'from-api', namespace: 'default' },
  spec: { ports: [{ port: 80 }] },
} as KubeObject;

test('the file source lists the files at revision 0, each object with its file and position as origin', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'objects.yaml');
  await writeFile(file, docs(serviceWithEndpoints('a', [{ ip: '127.0.0.1', port: 1 }]), serviceWithEndpoints('b', [])));
  const listing = await new FileObjectSource([file], { cache: new ParseCache() }).list();
  t.false(listing.fatal);
  t.is(listing.revision, 0);
  t.true(listing.objects.length >= 2);
  for (const o of listing.objects) {
    t.is(o.origin.kind, 'file');
    t.deepEqual(o.origin, { kind: 'file', ...o.position });
  }
});

test('the file source reads the applied layer after the files, its objects with the API origin', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'objects.yaml');
  await writeFile(file, serviceWithEndpoints('a', []));
  const layer = new AppliedLayer(join(dir, 'state'));
  await layer.load();
  const source = new FileObjectSource([file], { cache: new ParseCache(), applied: () => layer });
  t.false((await source.list()).objects.some((o) => o.origin.kind === 'api'));
  await layer.update(
    (objects) => upsert(objects, apiService),
    async () => undefined,
  );
  const listing = await source.list();
  const fromApi = listing.objects.filter((o) => o.origin.kind === 'api');
  t.deepEqual(
    fromApi.map((o) => o.object.metadata.name),
    ['from-api'],
  );
  // Diagnostics still point into the state file.
  t.is(fromApi[0]?.position.file, layer.path);
  t.true(listing.objects.filter((o) => o.origin.kind === 'file').every((o) => o.position.file === file));
});

test('the file source reports a change after a revision, and a later listing holds it at the new revision', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'objects.yaml');
  await writeFile(file, serviceWithEndpoints('a', []));
  const source = new FileObjectSource([file], { cache: new ParseCache() });
  const first = await source.list();
  const seen: number[] = [];
  const watch = await source.watch(
    first.revision,
    (revision) => seen.push(revision),
    (err) => t.fail(err.message),
  );
  t.teardown(() => watch.close());
  await writeFile(file, docs(serviceWithEndpoints('a', []), serviceWithEndpoints('b', [])));
  await waitFor(() => seen.length > 0, 10_000, 'a change report');
  t.true(seen[0]! > first.revision);
  const second = await source.list();
  t.is(second.revision, source.revision);
  t.true(second.objects.some((o) => o.object.metadata.name === 'b'));
  // A watch from a revision already passed hears about it at once.
  const late: number[] = [];
  const again = await source.watch(
    first.revision,
    (revision) => late.push(revision),
    () => undefined,
  );
  t.teardown(() => again.close());
  await waitFor(() => late.length > 0, 10_000, 'the catch-up report');
  t.is(late[0], source.revision);
});

test('the applied layer is a source of its own: each change one revision higher, reported to watchers', async (t) => {
  const dir = await tempDir(t);
  const layer = new AppliedLayer(dir);
  await layer.load();
  t.deepEqual(await layer.list(), { objects: [], revision: 0 });
  const seen: number[] = [];
  const watch = await layer.watch(0, (revision) => seen.push(revision));
  t.teardown(() => watch.close());
  await layer.update(
    (objects) => upsert(objects, apiService),
    async () => undefined,
  );
  t.deepEqual(seen, [1]);
  const listing = await layer.list();
  t.is(listing.revision, 1);
  t.deepEqual(
    listing.objects.map((o) => [o.object.metadata.name, o.origin.kind]),
    [['from-api', 'api']],
  );
  // Loaded again (a restart), the same objects are there from revision 0.
  const restarted = new AppliedLayer(dir);
  await restarted.load();
  const relisted = await restarted.list();
  t.is(relisted.revision, 0);
  t.deepEqual(
    relisted.objects.map((o) => o.object.metadata.name),
    ['from-api'],
  );
});
