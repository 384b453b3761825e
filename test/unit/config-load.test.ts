/**
 * Loading as a whole: real files and directories (temp dirs, removed in teardown) for the fatal inputs, inline texts
 * for documents, Lists, duplicates, unknown kinds and fields, and one bad object among good ones.
 */
import test from 'ava';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, loadConfigText } from '../../src/config/load-config.ts';
import type { Diagnostic } from '../../src/config/diagnostic.ts';

async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'edgeway-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const SERVICE = (name: string, ns = ''): string =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n${ns === '' ? '' : `  namespace: ${ns}\n`}spec:\n  ports: [{port: 80}]\n`;

const only = (diagnostics: readonly Diagnostic[], code: string): Diagnostic[] => diagnostics.filter((d) => d.code === code);

// --- fatal inputs -------------------------------------------------------------------------------------------------

test('a missing file is fatal and named', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'nope.yaml');
  const load = await loadConfig([path]);
  t.true(load.fatal);
  t.deepEqual(load.objects, []);
  const [d] = only(load.diagnostics, 'EW_FILE_NOT_FOUND');
  t.is(d?.position?.file, path);
  t.regex(d?.message ?? '', /does not exist/);
});

test('an empty file and a comments-only file are fatal', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'empty.yaml'), '');
  await writeFile(join(dir, 'comments.yaml'), '# nothing here\n---\n# still nothing\n');
  for (const name of ['empty.yaml', 'comments.yaml']) {
    const load = await loadConfig([join(dir, name)]);
    t.true(load.fatal, name);
    t.is(only(load.diagnostics, 'EW_FILE_EMPTY')[0]?.position?.file, join(dir, name));
  }
});

test('a directory without YAML files is fatal', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'README.md'), '# not config\n');
  const load = await loadConfig([dir]);
  t.true(load.fatal);
  t.is(only(load.diagnostics, 'EW_DIR_EMPTY')[0]?.position?.file, dir);
});

test('a file over the size limit is fatal, and the option sets the limit', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'big.yaml');
  await writeFile(path, SERVICE('web'));
  const small = await loadConfig([path], { maxBytes: 10 });
  t.true(small.fatal);
  t.regex(only(small.diagnostics, 'EW_FILE_TOO_LARGE')[0]?.message ?? '', /over the limit of 10/);
  const fine = await loadConfig([path]);
  t.false(fine.fatal);
  t.is(fine.objects.length, 1);
});

test('binary content is fatal: NUL bytes (located) and invalid UTF-8', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'nul.yaml'), Buffer.concat([Buffer.from('kind: x\nab'), Buffer.from([0, 1, 2])]));
  await writeFile(join(dir, 'latin1.yaml'), Buffer.from([0x6b, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));
  const nul = await loadConfig([join(dir, 'nul.yaml')]);
  t.true(nul.fatal);
  t.deepEqual(only(nul.diagnostics, 'EW_FILE_BINARY')[0]?.position, { file: join(dir, 'nul.yaml'), line: 2, column: 3 });
  const bad = await loadConfig([join(dir, 'latin1.yaml')]);
  t.true(bad.fatal);
  t.regex(only(bad.diagnostics, 'EW_FILE_BINARY')[0]?.message ?? '', /UTF-8/);
  t.true(loadConfigText([{ path: 'x.yaml', text: 'a\u0000b' }]).fatal);
});

test('malformed YAML is fatal with every error at its line and column', (t) => {
  const text = 'apiVersion: v1\nkind: Service\nmetadata:\n\tname: web\n---\nkind: Pod\nmetadata: {name: "unterminated}\n';
  const load = loadConfigText([{ path: 'broken.yaml', text }]);
  t.true(load.fatal);
  t.deepEqual(load.objects, []);
  const errors = only(load.diagnostics, 'EW_YAML_SYNTAX');
  t.deepEqual(errors[0]?.position, { file: 'broken.yaml', line: 4, column: 1 });
  t.regex(errors[0]?.message ?? '', /Tabs/);
  t.true(
    errors.some((e) => (e.position?.line ?? 0) >= 7),
    'the error in the second document is reported too',
  );
});

test('duplicate keys are a YAML error', (t) => {
  const load = loadConfigText([{ path: 'dup.yaml', text: 'apiVersion: v1\nkind: Service\nkind: Pod\n' }]);
  t.true(load.fatal);
  t.is(only(load.diagnostics, 'EW_YAML_SYNTAX')[0]?.position?.line, 3);
});

test('a fatal file still lets the others report, but nothing is served', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'good.yaml'), SERVICE('BAD'));
  const load = await loadConfig([join(dir, 'good.yaml'), join(dir, 'missing.yaml')]);
  t.true(load.fatal);
  t.deepEqual(load.objects, []);
  t.is(only(load.diagnostics, 'EW_FILE_NOT_FOUND').length, 1);
  t.is(only(load.diagnostics, 'EW_FIELD_INVALID').length, 1, 'the object error in the readable file is reported too');
});

// --- files, directories, documents -----------------------------------------------------------------------------

test('a directory loads its *.yaml and *.yml files sorted by name, not recursively', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'b.yml'), SERVICE('b'));
  await writeFile(join(dir, 'a.yaml'), SERVICE('a'));
  await writeFile(join(dir, 'c.txt'), SERVICE('c'));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'd.yaml'), SERVICE('d'));
  const load = await loadConfig([dir]);
  t.false(load.fatal);
  t.deepEqual(
    load.objects.map((o) => o.object.metadata.name),
    ['a', 'b'],
  );
  t.is(load.objects[1]?.position.file, join(dir, 'b.yml'));
});

test('the same file named twice is read once', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.yaml'), SERVICE('a'));
  const load = await loadConfig([join(dir, 'a.yaml'), dir]);
  t.is(load.objects.length, 1);
  t.deepEqual(load.diagnostics, []);
});

test('multi-document files keep file order and each object its own position', (t) => {
  const text = `${SERVICE('one')}---\n${SERVICE('two', 'shop')}---\n# trailing comment only\n`;
  const load = loadConfigText([{ path: 'multi.yaml', text }]);
  t.false(load.fatal);
  t.deepEqual(
    load.objects.map((o) => `${o.object.metadata.namespace}/${o.object.metadata.name}`),
    ['default/one', 'shop/two'],
  );
  t.deepEqual(load.objects[1]?.position, { file: 'multi.yaml', line: 8, column: 1 });
  t.deepEqual(load.objects[1]?.locate(['spec', 'ports', 0, 'port']), { file: 'multi.yaml', line: 14, column: 12 });
  t.deepEqual(load.objects[1]?.locate(['spec', 'selector', 'app']), { file: 'multi.yaml', line: 13, column: 1 }, 'nearest ancestor');
});

test('kind: List items become objects with their own positions', (t) => {
  const text = [
    'apiVersion: v1',
    'kind: List',
    'items:',
    '  - apiVersion: v1',
    '    kind: Service',
    '    metadata: {name: a}',
    '    spec: {ports: [{port: 80}]}',
    '  - apiVersion: v1',
    '    kind: Service',
    '    metadata: {name: b}',
    '    spec:',
    '      ports:',
    '        - port: 0',
    '',
  ].join('\n');
  const load = loadConfigText([{ path: 'list.yaml', text }]);
  t.deepEqual(
    load.objects.map((o) => o.object.metadata.name),
    ['a'],
  );
  t.deepEqual(load.objects[0]?.position, { file: 'list.yaml', line: 4, column: 5 });
  t.is(load.skipped, 1);
  const [d] = only(load.diagnostics, 'EW_FIELD_INVALID');
  t.is(d?.object, 'Service default/b');
  t.is(d?.field, 'spec.ports[0].port');
  t.deepEqual(d?.position, { file: 'list.yaml', line: 13, column: 11 });
});

test('documents that are not objects are skipped with an object error, not fatal', (t) => {
  const text = `- just\n- a list\n---\nplain string\n---\napiVersion: v1\nmetadata: {name: x}\n---\nkind: Service\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Service\nmetadata: {}\n---\n${SERVICE('ok')}`;
  const load = loadConfigText([{ path: 'odd.yaml', text }]);
  t.false(load.fatal);
  t.is(load.skipped, 5);
  t.deepEqual(
    load.objects.map((o) => o.object.metadata.name),
    ['ok'],
  );
  const malformed = only(load.diagnostics, 'EW_OBJECT_MALFORMED');
  t.deepEqual(
    malformed.map((d) => [d.field, d.position?.line]),
    [
      [undefined, 1],
      [undefined, 4],
      ['kind', 6],
      ['apiVersion', 9],
      ['metadata.name', 14],
    ],
  );
});

test('one bad object among good ones is skipped while the rest load', (t) => {
  const load = loadConfigText([{ path: 'mix.yaml', text: `${SERVICE('a')}---\n${SERVICE('Bad_Name')}---\n${SERVICE('c')}` }]);
  t.false(load.fatal);
  t.is(load.skipped, 1);
  t.deepEqual(
    load.objects.map((o) => o.object.metadata.name),
    ['a', 'c'],
  );
  t.is(load.diagnostics.length, 1);
  t.is(load.diagnostics[0]?.object, 'Service default/Bad_Name');
});

test('duplicates across two files: the later one is skipped and the message points at the first', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, '1.yaml'), SERVICE('web'));
  await writeFile(join(dir, '2.yaml'), `${SERVICE('other')}---\n${SERVICE('web', 'default')}`);
  const load = await loadConfig([dir]);
  t.deepEqual(
    load.objects.map((o) => `${o.position.file}:${o.object.metadata.name}`),
    [`${join(dir, '1.yaml')}:web`, `${join(dir, '2.yaml')}:other`],
  );
  t.is(load.skipped, 1);
  const [d] = only(load.diagnostics, 'EW_OBJECT_DUPLICATE');
  t.deepEqual(d?.position, { file: join(dir, '2.yaml'), line: 11, column: 3 });
  t.is(d?.field, 'metadata.name');
  t.true(d?.message.includes(`${join(dir, '1.yaml')}:1:1`));
});

test('unknown kinds are ignored with a warning; unknown fields warn and keep the object', (t) => {
  const text = `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n      targetport: 8080\n`;
  const load = loadConfigText([{ path: 'w.yaml', text }]);
  t.false(load.fatal);
  t.is(load.skipped, 0);
  t.deepEqual(
    load.objects.map((o) => o.object.kind),
    ['Service'],
  );
  const [kind] = only(load.diagnostics, 'EW_KIND_UNKNOWN');
  t.is(kind?.severity, 'warning');
  t.deepEqual(kind?.position, { file: 'w.yaml', line: 2, column: 1 });
  const [field] = only(load.diagnostics, 'EW_FIELD_UNKNOWN');
  t.is(field?.severity, 'warning');
  t.is(field?.field, 'spec.ports[0].targetport');
  t.deepEqual(field?.position, { file: 'w.yaml', line: 12, column: 7 });
  t.regex(field?.message ?? '', /targetPort/);
});

test('namespaces: defaulted for namespaced kinds without touching positions, dropped on cluster-scoped kinds', (t) => {
  const text = `${SERVICE('web')}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  namespace: default\n`;
  const load = loadConfigText([{ path: 'ns.yaml', text }]);
  t.is(load.objects[0]?.object.metadata.namespace, 'default');
  t.deepEqual(load.objects[0]?.locate(['metadata', 'namespace']), { file: 'ns.yaml', line: 3, column: 1 });
  t.is(load.objects[1]?.object.metadata.namespace, undefined);
  const [d] = only(load.diagnostics, 'EW_FIELD_IGNORED');
  t.is(d?.object, 'Namespace shop');
  t.deepEqual(d?.position, { file: 'ns.yaml', line: 12, column: 3 });
});

test('objects in different namespaces are not duplicates', (t) => {
  const load = loadConfigText([{ path: 'a.yaml', text: `${SERVICE('web', 'a')}---\n${SERVICE('web', 'b')}` }]);
  t.is(load.objects.length, 2);
  t.deepEqual(load.diagnostics, []);
});
