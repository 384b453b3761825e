/**
 * The Namespaces a cluster always has: `default`, `kube-system` and `kube-public` exist as built-in objects unless a
 * file defines one (the file's then stands), are listed by the Kubernetes API, and refuse writes through it.
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Edgeway } from '../../src/edgeway.ts';
import { withBuiltinObjects } from '../../src/store/builtin-objects.ts';
import type { LoadedObject } from '../../src/config/loaded-object.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, settings } from '../helpers/manifests.ts';

const TOKEN = 'builtin-objects-token-0123456789';

test('withBuiltinObjects: the missing Namespaces are appended, the same objects every time', (t) => {
  const own: LoadedObject = {
    object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', labels: { mine: 'yes' } } },
    position: { file: 'ns.yaml', line: 1, column: 1 },
    origin: { kind: 'file', file: 'ns.yaml', line: 1, column: 1 },
    locate: () => ({ file: 'ns.yaml', line: 1, column: 1 }),
  };
  const all = withBuiltinObjects([own]);
  t.deepEqual(
    all.map((l) => `${l.object.metadata.name} ${l.origin.kind}`),
    ['kube-system file', 'default builtin', 'kube-public builtin'],
  );
  t.is(withBuiltinObjects([own])[1], all[1], 'stable identities, so a reload patches nothing');
});

test('the built-in Namespaces over the Kubernetes API: listed, and writes refused', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`);
  await writeFile(
    file,
    docs(settings(`reload: {watch: false}\nadmin: {tokenFile: ${tokenFile}}`), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n'),
  );
  const edgeway = await Edgeway.start({
    configPaths: [file],
    overrides: { http: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, stateDir: join(dir, 'state'), logLevel: 'silent' },
    report: () => undefined,
  });
  t.teardown(() => edgeway.close(0));
  const admin = `http://127.0.0.1:${edgeway.adminPort}`;
  const list = JSON.parse((await httpGet(`${admin}/api/v1/namespaces`)).text) as { items: { metadata: { name: string } }[] };
  t.deepEqual(list.items.map((n) => n.metadata.name).sort(), ['default', 'kube-public', 'kube-system', 'shop']);
  t.is((await httpGet(`${admin}/api/v1/namespaces/kube-system`)).status, 200);
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const replaced = await httpGet(
    `${admin}/api/v1/namespaces/kube-system`,
    auth,
    'PUT',
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', labels: { x: 'y' } } }),
  );
  // Forbidden, as for objects from files: they are not the API's to change, and a 409 would tell clients to retry.
  t.is(replaced.status, 403);
  t.regex(replaced.text, /built into edgeway/);
  t.is((await httpGet(`${admin}/api/v1/namespaces/default`, auth, 'DELETE')).status, 403);
});
