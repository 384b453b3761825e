/** The pure parts of sharing objects in etcd: registry keys, decoding stored values, write diffs, replica files. */
import test from 'ava';
import { API_ORIGIN, type LoadedObject } from '../../src/config/loaded-object.ts';
import { kindEntryOf } from '../../src/k8s/kinds.ts';
import type { KubeObject } from '../../src/k8s/types.ts';
import { decodeStoredObject } from '../../src/store/decode-stored-object.ts';
import { registryKey } from '../../src/store/registry-key.ts';
import { storedChanges, type SeenObject } from '../../src/store/stored-changes.ts';
import { storeKey } from '../../src/store/object-store.ts';
import { decodePeerFiles, fileDisagreements, fileFingerprints, publishedFiles } from '../../src/shared/replica-files.ts';

const service = (name: string, port = 80): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ port }] } }) as KubeObject;

test('registry keys are laid out as the API server lays out its registry', (t) => {
  t.is(registryKey('/edgeway/', kindEntryOf('Service')!, 'shop', 'web'), '/edgeway/registry/services/shop/web');
  t.is(registryKey('/edgeway', kindEntryOf('Ingress')!, 'shop', 'web'), '/edgeway/registry/ingresses/shop/web');
  t.is(registryKey('/e', kindEntryOf('Namespace')!, undefined, 'shop'), '/e/registry/namespaces/shop');
  t.is(registryKey('/e', kindEntryOf('IPAddressPool')!, 'metallb-system', 'p'), '/e/registry/metallb.io/ipaddresspools/metallb-system/p');
});

test('a stored value becomes an API object with its mod revision as resourceVersion', (t) => {
  const key = '/edgeway/registry/services/default/web';
  const decoded = decodeStoredObject('/edgeway', key, JSON.stringify(service('web')), 42);
  if (!('loaded' in decoded)) return t.fail(decoded.message);
  t.is(decoded.modRevision, 42);
  t.is(decoded.loaded.object.metadata.resourceVersion, '42');
  t.is(decoded.loaded.origin, API_ORIGIN);
  t.is(decoded.loaded.position.file, `etcd:${key}`);
});

test('a bad stored value is a diagnostic naming the key, for each way it can be bad', (t) => {
  const key = '/edgeway/registry/services/default/web';
  const cases: [string, RegExp][] = [
    ['{not json', /not JSON/],
    ['[1]', /not an object/],
    [JSON.stringify({ ...service('web'), kind: 'Widget' }), /"Widget" is not one edgeway serves/],
    [JSON.stringify(service('other')), /lives at \/edgeway\/registry\/services\/default\/other/],
    [JSON.stringify({ ...service('web'), spec: { ports: [{ port: 70000 }] } }), /spec\.ports\[0\]\.port/],
  ];
  for (const [value, message] of cases) {
    const d = decodeStoredObject('/edgeway', key, value, 7);
    if ('loaded' in d) {
      t.fail(`accepted ${value}`);
      continue;
    }
    t.is(d.code, 'EW_STORED_OBJECT_INVALID');
    t.regex(d.message, new RegExp(`^etcd key ${key}: `));
    t.regex(d.message, message);
    t.is(d.position?.file, `etcd:${key}`);
  }
});

function seen(objects: readonly [KubeObject, number][]): Map<string, SeenObject> {
  return new Map(
    objects.map(([o, rev]) => [
      storeKey(o.kind, o.metadata.namespace, o.metadata.name),
      { key: registryKey('/p', kindEntryOf(o.kind)!, o.metadata.namespace, o.metadata.name), object: o, modRevision: rev },
    ]),
  );
}

test('a write becomes guarded puts and deletes; unchanged objects are not written', (t) => {
  const a = {
    ...service('a'),
    metadata: { name: 'a', namespace: 'default', uid: 'u-a', creationTimestamp: '2026-01-01T00:00:00Z', generation: 3 },
  } as KubeObject;
  const b = {
    ...service('b'),
    metadata: { name: 'b', namespace: 'default', uid: 'u-b', creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 },
  } as KubeObject;
  const before = seen([
    [a, 10],
    [b, 11],
  ]);
  const now = new Date('2026-12-06T10:00:00.123Z');
  const changedA = { ...service('a', 81), metadata: { name: 'a', namespace: 'default', labels: { x: 'y' } } } as KubeObject;
  const changes = storedChanges('/p', before, [changedA, service('c')], now, () => 'new-uid');
  t.deepEqual(
    changes.map((c) => [c.op, c.key, c.expected]),
    [
      ['put', '/p/registry/services/default/a', 10],
      ['put', '/p/registry/services/default/c', 0],
      ['delete', '/p/registry/services/default/b', 11],
    ],
  );
  const storedA = JSON.parse((changes[0] as { value: string }).value) as KubeObject;
  t.like(storedA.metadata, { uid: 'u-a', creationTimestamp: '2026-01-01T00:00:00Z', generation: 4, labels: { x: 'y' } });
  const storedC = JSON.parse((changes[1] as { value: string }).value) as KubeObject;
  t.like(storedC.metadata, { uid: 'new-uid', creationTimestamp: '2026-12-06T10:00:00Z', generation: 1 });
  t.is(storedC.metadata.resourceVersion, undefined);
  t.deepEqual(
    storedChanges('/p', before, [a, b], now, () => 'x'),
    [],
  );
});

test('a metadata-only change keeps metadata.generation', (t) => {
  const a = { ...service('a'), metadata: { name: 'a', namespace: 'default', uid: 'u', creationTimestamp: 't', generation: 2 } } as KubeObject;
  const relabelled = { ...service('a'), metadata: { name: 'a', namespace: 'default', labels: { tier: 'web' } } } as KubeObject;
  const [change] = storedChanges('/p', seen([[a, 5]]), [relabelled], new Date(), () => 'x');
  t.is((JSON.parse((change as { value: string }).value) as KubeObject).metadata.generation, 2);
});

function fromFile(object: KubeObject, file = 'a.yaml'): LoadedObject {
  const position = { file, line: 1, column: 1 };
  return { object, position, origin: { kind: 'file', file, line: 1, column: 1 }, locate: () => position };
}

test('replicas whose files define an object differently each get a warning naming the other', (t) => {
  const mine = [fromFile(service('web')), fromFile(service('api'))];
  const own = fileFingerprints(mine);
  const theirs = fileFingerprints([fromFile(service('web', 8080)), fromFile(service('api'))]);
  const published = decodePeerFiles('replica-b', '/e/replicas/replica-b/files', publishedFiles(theirs));
  t.deepEqual(published, { fingerprints: theirs });
  const found = fileDisagreements(mine, own, new Map([['replica-b', theirs]]));
  t.is(found.length, 1);
  t.like(found[0], { code: 'EW_REPLICA_FILES_DISAGREE', severity: 'warning', object: 'Service default/web' });
  t.regex(found[0]!.message, /replica\(s\) replica-b define this object differently/);
  t.deepEqual(fileDisagreements(mine, own, new Map([['replica-b', own]])), []);
  t.true('problem' in decodePeerFiles('replica-b', '/e/replicas/replica-b/files', '{"a": 1}'));
  t.true('problem' in decodePeerFiles('replica-b', '/e/replicas/replica-b/files', 'nope'));
});

test('a peer fingerprint value that cannot be read is a warning naming the key and why', (t) => {
  const key = '/e/replicas/replica-b/files';
  const problem = (text: string) => {
    const decoded = decodePeerFiles('replica-b', key, text);
    if (!('problem' in decoded)) throw new Error(`${text} was read`);
    return decoded.problem;
  };
  const notJson = problem('{"Service default/web": ');
  t.like(notJson, { severity: 'warning', code: 'EW_REPLICA_FILES_UNREADABLE', position: { file: `etcd:${key}`, line: 1, column: 1 } });
  t.regex(notJson.message, new RegExp(`^etcd key ${key}: the value is not JSON \\(.+\\); the files of replica replica-b cannot be compared`));
  t.regex(problem('["a"]').message, /: the value is not an object of fingerprints;/);
  t.regex(problem('null').message, /: the value is not an object of fingerprints;/);
  t.regex(problem('{"Service default/web": 7}').message, /: the fingerprint of "Service default\/web" is not a string;/);
  t.deepEqual(decodePeerFiles('replica-b', key, '{}'), { fingerprints: {} });
});
