/**
 * The API's storage as tables over the pure step (serveGeneration): versions in store order, an unchanged object
 * keeping its version and its very object, label changes bumping resourceVersion only, spec changes generation too,
 * deletions taking a version, implicit namespaces, and a state reloaded from the metadata file (a restart) giving
 * the same metadata with no events.
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { FileMetaStore } from '../../src/api/storage/file-meta-store.ts';
import { EMPTY_META_STATE } from '../../src/api/storage/object-meta-store.ts';
import { serveGeneration, type Served } from '../../src/api/storage/serve-generation.ts';
import { EMPTY_VIEW, type ServedView } from '../../src/api/storage/served-view.ts';
import { loadConfigText } from '../../src/config/load-config.ts';
import { DEFAULT_SETTINGS } from '../../src/config/settings-defaults.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { tempDir } from '../helpers/edgeway.ts';

function cm(name: string, data: string, labels = 'a: b', namespace = 'default'): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${namespace}, labels: {${labels}}}\ndata: {k: ${data}}\n`;
}

let uids = 0;
function serve(
  yaml: readonly string[],
  prior: Served | null,
  state = prior?.state ?? EMPTY_META_STATE,
  previous: ServedView = prior?.view ?? EMPTY_VIEW,
): Served {
  const store = new ObjectStore(loadConfigText([{ path: 'c.yaml', text: yaml.join('---\n') }]).objects);
  const snapshot = compileSnapshot(store, DEFAULT_SETTINGS, 1);
  return serveGeneration({ store, snapshot, state, previous, now: new Date('2026-01-02T03:04:05.678Z'), newUid: () => `uid-${++uids}` });
}

const meta = (s: Served, name: string) => s.view.get('ConfigMap', 'default', name)!.object.metadata;

test('versions, generations and events across generations', (t) => {
  const first = serve([cm('one', 'x'), cm('two', 'y')], null);
  t.deepEqual(
    first.events.map((e) => [e.type, e.object.kind, e.object.metadata.name, e.resourceVersion]),
    [
      ['ADDED', 'ConfigMap', 'one', 1],
      ['ADDED', 'ConfigMap', 'two', 2],
      ['ADDED', 'Namespace', 'default', 3],
      ['ADDED', 'Namespace', 'kube-public', 4],
      ['ADDED', 'Namespace', 'kube-system', 5],
    ],
  );
  t.is(first.view.revision, 5);
  t.like(meta(first, 'one'), { resourceVersion: '1', generation: 1, creationTimestamp: '2026-01-02T03:04:05Z' });

  const same = serve([cm('one', 'x'), cm('two', 'y')], first);
  t.deepEqual(same.events, []);
  t.is(same.view.revision, 5);
  t.is(same.view.get('ConfigMap', 'default', 'one')!.object, first.view.get('ConfigMap', 'default', 'one')!.object, 'the very same object is served');

  const relabelled = serve([cm('one', 'x', 'a: c'), cm('two', 'y')], same);
  t.deepEqual(
    relabelled.events.map((e) => [e.type, e.object.metadata.name, e.resourceVersion]),
    [['MODIFIED', 'one', 6]],
  );
  t.like(meta(relabelled, 'one'), { resourceVersion: '6', generation: 1, uid: meta(first, 'one').uid });
  t.is(meta(relabelled, 'two').resourceVersion, '2', 'an unrelated change leaves the version');
  t.deepEqual(relabelled.events[0]!.previous?.metadata.labels, { a: 'b' });

  const changed = serve([cm('one', 'z', 'a: c'), cm('two', 'y')], relabelled);
  t.like(meta(changed, 'one'), { resourceVersion: '7', generation: 2 });

  const deleted = serve([cm('one', 'z', 'a: c')], changed);
  t.deepEqual(
    deleted.events.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion]),
    [['DELETED', 'two', '8']],
  );
  t.is(deleted.view.revision, 8);
  t.is(deleted.view.get('ConfigMap', 'default', 'two'), undefined);

  const elsewhere = serve([cm('one', 'z', 'a: c'), cm('far', 'q', 'a: b', 'team')], deleted);
  t.deepEqual(
    elsewhere.events.map((e) => [e.type, e.object.kind, e.object.metadata.name]),
    [
      ['ADDED', 'ConfigMap', 'far'],
      ['ADDED', 'Namespace', 'team'],
    ],
  );
  t.true(elsewhere.view.hasNamespace('team'));
  t.deepEqual(
    elsewhere.view.list('Namespace').map((e) => e.object.metadata.name),
    ['default', 'kube-public', 'kube-system', 'team'],
  );
});

test('a state read back from the metadata file gives the same metadata and no events', async (t) => {
  const dir = await tempDir(t);
  const store = new FileMetaStore(dir);
  t.is((await store.load()).revision, 0);
  const first = serve([cm('one', 'x'), cm('two', 'y')], null);
  await store.save(first.state);
  const loaded = await store.load();
  t.deepEqual([...loaded.objects], [...first.state.objects]);
  const restarted = serve([cm('one', 'x'), cm('two', 'y')], null, loaded, EMPTY_VIEW);
  t.deepEqual(restarted.events, []);
  t.deepEqual(meta(restarted, 'one'), meta(first, 'one'));
  await writeFile(store.path, '{"revision": 3, "objects": ');
  await t.throwsAsync(store.load(), { message: /not a readable edgeway API metadata file/ });
  const changedMeanwhile = serve([cm('one', 'x2'), cm('two', 'y')], null, loaded, EMPTY_VIEW);
  t.like(meta(changedMeanwhile, 'one'), { resourceVersion: '6', generation: 2, uid: meta(first, 'one').uid });
});
