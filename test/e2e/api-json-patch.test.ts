/**
 * JSON patch (RFC 6902) as a table: every operation, pointer escaping, array positions, the test operation, the
 * API server's leniencies (replace adds a missing key, negative indices), and its answers for bad bodies (400) and
 * operations that do not apply (422, the reason in details.causes). Each case is also run through
 * `kubectl patch --local --type json`, which uses the API server's JSON patch library: results and error messages
 * must match. `__proto__` stays a plain key.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { applyJsonPatch } from '../../src/api/patch/json-patch.ts';
import { tempDir } from '../helpers/edgeway.ts';

const run = promisify(execFile);

const DOC = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', labels: { app: 'web', 'a/b': 'x', 'c~d': 'y' } },
  spec: { ports: [{ port: 80 }, { port: 443 }], type: 'ClusterIP' },
};
type Doc = typeof DOC;
const withSpec = (spec: Record<string, unknown>): unknown => ({ ...DOC, spec });

const OK: readonly { name: string; ops: unknown[]; want: unknown }[] = [
  { name: 'add a key', ops: [{ op: 'add', path: '/spec/selector', value: { app: 'web' } }], want: withSpec({ ...DOC.spec, selector: { app: 'web' } }) },
  { name: 'add replaces an existing key', ops: [{ op: 'add', path: '/spec/type', value: 'NodePort' }], want: withSpec({ ...DOC.spec, type: 'NodePort' }) },
  {
    name: 'add inserts into a list',
    ops: [{ op: 'add', path: '/spec/ports/1', value: { port: 8080 } }],
    want: withSpec({ ...DOC.spec, ports: [{ port: 80 }, { port: 8080 }, { port: 443 }] }),
  },
  {
    name: 'add appends with -',
    ops: [{ op: 'add', path: '/spec/ports/-', value: { port: 9 } }],
    want: withSpec({ ...DOC.spec, ports: [{ port: 80 }, { port: 443 }, { port: 9 }] }),
  },
  {
    name: 'add at the end index',
    ops: [{ op: 'add', path: '/spec/ports/2', value: { port: 9 } }],
    want: withSpec({ ...DOC.spec, ports: [{ port: 80 }, { port: 443 }, { port: 9 }] }),
  },
  {
    name: 'add at -1 appends',
    ops: [{ op: 'add', path: '/spec/ports/-1', value: { port: 9 } }],
    want: withSpec({ ...DOC.spec, ports: [{ port: 80 }, { port: 443 }, { port: 9 }] }),
  },
  {
    name: 'add with a leading zero index',
    ops: [{ op: 'add', path: '/spec/ports/01', value: { port: 9 } }],
    want: withSpec({ ...DOC.spec, ports: [{ port: 80 }, { port: 9 }, { port: 443 }] }),
  },
  { name: 'add without a value adds null', ops: [{ op: 'add', path: '/spec/x' }], want: withSpec({ ...DOC.spec, x: null }) },
  { name: 'remove a key', ops: [{ op: 'remove', path: '/spec/type' }], want: withSpec({ ports: DOC.spec.ports }) },
  { name: 'remove a list item', ops: [{ op: 'remove', path: '/spec/ports/0' }], want: withSpec({ ...DOC.spec, ports: [{ port: 443 }] }) },
  { name: 'remove the last item with -1', ops: [{ op: 'remove', path: '/spec/ports/-1' }], want: withSpec({ ...DOC.spec, ports: [{ port: 80 }] }) },
  {
    name: 'replace',
    ops: [{ op: 'replace', path: '/spec/ports/1/port', value: 8443 }],
    want: withSpec({ ...DOC.spec, ports: [{ port: 80 }, { port: 8443 }] }),
  },
  {
    name: 'replace of a missing key adds it',
    ops: [{ op: 'replace', path: '/spec/clusterIP', value: 'None' }],
    want: withSpec({ ...DOC.spec, clusterIP: 'None' }),
  },
  {
    name: 'escaped pointers ~1 and ~0',
    ops: [
      { op: 'remove', path: '/metadata/labels/a~1b' },
      { op: 'remove', path: '/metadata/labels/c~0d' },
    ],
    want: { ...DOC, metadata: { name: 'web', labels: { app: 'web' } } },
  },
  { name: 'move', ops: [{ op: 'move', from: '/spec/type', path: '/spec/kind' }], want: withSpec({ ports: DOC.spec.ports, kind: 'ClusterIP' }) },
  {
    name: 'copy',
    ops: [{ op: 'copy', from: '/spec/ports/0', path: '/spec/ports/-' }],
    want: withSpec({ ...DOC.spec, ports: [{ port: 80 }, { port: 443 }, { port: 80 }] }),
  },
  { name: 'copy of a missing key copies null', ops: [{ op: 'copy', from: '/spec/nope', path: '/spec/x' }], want: withSpec({ ...DOC.spec, x: null }) },
  {
    name: 'test passes (key order does not matter), then replace',
    ops: [
      { op: 'test', path: '/spec/ports/0', value: { port: 80 } },
      { op: 'replace', path: '/spec/type', value: 'NodePort' },
    ],
    want: withSpec({ ...DOC.spec, type: 'NodePort' }),
  },
  { name: 'test of a missing key against null passes', ops: [{ op: 'test', path: '/spec/nope', value: null }], want: DOC },
  { name: 'empty patch', ops: [], want: DOC },
];

const INVALID: readonly { name: string; ops: unknown[]; cause: string }[] = [
  { name: 'a failed test', ops: [{ op: 'test', path: '/spec/type', value: 'NodePort' }], cause: 'testing value /spec/type failed: test failed' },
  { name: 'a test of a missing key', ops: [{ op: 'test', path: '/spec/nope', value: 1 }], cause: 'testing value /spec/nope failed: test failed' },
  {
    name: 'a test past the end of a list',
    ops: [{ op: 'test', path: '/spec/ports/7', value: 1 }],
    cause: "error in test for path: '/spec/ports/7': Unable to access invalid index: 7: invalid index referenced",
  },
  {
    name: 'replace past the end of a list',
    ops: [{ op: 'replace', path: '/spec/ports/7', value: 1 }],
    cause: 'replace operation does not apply: doc is missing key: /spec/ports/7: missing value',
  },
  {
    name: 'replace under a missing parent',
    ops: [{ op: 'replace', path: '/status/x/y', value: 1 }],
    cause: 'replace operation does not apply: doc is missing path: /status/x/y: missing value',
  },
  {
    name: 'remove of a missing key',
    ops: [{ op: 'remove', path: '/spec/nope' }],
    cause: "error in remove for path: '/spec/nope': Unable to remove nonexistent key: nope: missing value",
  },
  {
    name: 'remove past the end',
    ops: [{ op: 'remove', path: '/spec/ports/7' }],
    cause: "error in remove for path: '/spec/ports/7': Unable to access invalid index: 7: invalid index referenced",
  },
  {
    name: 'add under a missing parent',
    ops: [{ op: 'add', path: '/status/x/y', value: 1 }],
    cause: 'add operation does not apply: doc is missing path: "/status/x/y": missing value',
  },
  {
    name: 'add past the end',
    ops: [{ op: 'add', path: '/spec/ports/5', value: 1 }],
    cause: "error in add for path: '/spec/ports/5': Unable to access invalid index: 5: invalid index referenced",
  },
  {
    name: 'add at a word index',
    ops: [{ op: 'add', path: '/spec/ports/x', value: 1 }],
    cause: `error in add for path: '/spec/ports/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
  },
  { name: 'an unknown op', ops: [{ op: 'frobnicate', path: '/spec' }], cause: 'Unexpected kind: frobnicate' },
  { name: 'no op', ops: [{ path: '/spec' }], cause: 'Unexpected kind: unknown' },
  { name: 'add without a path', ops: [{ op: 'add', value: 1 }], cause: 'add operation failed to decode path: missing value' },
  {
    name: 'replace without a path',
    ops: [{ op: 'replace', value: 1 }],
    cause: 'replace operation failed to decode path: operation missing path field: missing value',
  },
  {
    name: 'move without a from',
    ops: [{ op: 'move', path: '/a' }],
    cause: 'move operation failed to decode from: operation, missing from field: missing value',
  },
  {
    name: 'a pointer without a slash',
    ops: [{ op: 'add', path: 'spec', value: 1 }],
    cause: 'add operation does not apply: doc is missing path: "spec": missing value',
  },
  {
    name: 'the whole document',
    ops: [{ op: 'replace', path: '', value: {} }],
    cause: 'replace operation does not apply: doc is missing path: : missing value',
  },
  {
    name: 'moving into itself',
    ops: [{ op: 'move', from: '/spec', path: '/spec/x' }],
    cause: 'move operation does not apply: doc is missing destination path: /spec/x: missing value',
  },
  {
    name: 'moving a missing key',
    ops: [{ op: 'move', from: '/spec/nope', path: '/spec/x' }],
    cause: "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value",
  },
  {
    name: 'copying into a missing parent',
    ops: [{ op: 'copy', from: '/spec/type', path: '/status/x/y' }],
    cause: 'copy operation does not apply: doc is missing destination path: /status/x/y: missing value',
  },
  {
    name: 'a later failure undoes the earlier operations',
    ops: [
      { op: 'remove', path: '/spec' },
      { op: 'test', path: '/a', value: 1 },
    ],
    cause: 'testing value /a failed: test failed',
  },
];

async function kubectlPatch(t: ExecutionContext, ops: unknown[]): Promise<{ readonly out?: unknown; readonly error?: string }> {
  const dir = await tempDir(t);
  const file = join(dir, 'object.json');
  await writeFile(file, JSON.stringify(DOC));
  try {
    const { stdout } = await run('kubectl', ['patch', '--local', '-f', file, '--type', 'json', '-p', JSON.stringify(ops), '-o', 'json'], { timeout: 30_000 });
    return { out: JSON.parse(stdout) };
  } catch (err) {
    return { error: String((err as { stderr?: string }).stderr ?? err).trim() };
  }
}

for (const c of OK) {
  test(`json patch: ${c.name}`, async (t) => {
    const before = structuredClone(DOC);
    const result = applyJsonPatch(DOC, JSON.stringify(c.ops));
    t.true(result.ok, result.ok ? '' : JSON.stringify(result.status.details));
    if (result.ok) t.deepEqual(result.value as Doc, c.want as Doc);
    t.deepEqual(DOC, before, 'the target is not changed');
    t.deepEqual((await kubectlPatch(t, c.ops)).out, c.want, 'kubectl patch --local agrees');
  });
}

for (const c of INVALID) {
  test(`json patch 422: ${c.name}`, async (t) => {
    const result = applyJsonPatch(DOC, JSON.stringify(c.ops));
    t.false(result.ok);
    if (result.ok) return;
    t.is(result.status.code, 422);
    t.is(result.status.reason, 'Invalid');
    t.is(result.status.message, 'the server rejected our request due to an error in our request');
    t.deepEqual(result.status.details?.causes, [{ reason: 'UnexpectedServerResponse', message: c.cause }]);
    // kubectl words one message its own way; the library underneath (the API server's) says what `cause` says.
    const kubectlWording = c.cause.replace(/^replace operation does not apply: doc is missing key: (.*)$/, 'Object to be patched is missing field ($1)');
    if (c.name !== 'the whole document') t.is((await kubectlPatch(t, c.ops)).error, `error: ${kubectlWording}`);
  });
}

test('json patch 400: a body that is not a list of operations', (t) => {
  for (const [body, message] of [
    ['{"op":"add"}', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['"x"', 'json: cannot unmarshal string into Go value of type jsonpatch.Patch'],
    ['[1]', 'json: cannot unmarshal number into Go value of type jsonpatch.Operation'],
  ] as const) {
    const result = applyJsonPatch(DOC, body);
    t.false(result.ok);
    if (!result.ok) {
      t.is(result.status.code, 400);
      t.is(result.status.message, message);
    }
  }
  const bad = applyJsonPatch(DOC, '[{');
  t.false(bad.ok);
  if (!bad.ok) t.regex(bad.status.message, /^error decoding patch: /);
});

test('json patch: __proto__ is written as a plain own key', (t) => {
  const result = applyJsonPatch({ metadata: {} }, '[{"op":"add","path":"/metadata/__proto__","value":{"polluted":true}}]');
  t.true(result.ok);
  if (!result.ok) return;
  const metadata = (result.value as { metadata: Record<string, unknown> }).metadata;
  t.true(Object.hasOwn(metadata, '__proto__'));
  t.is(Object.getPrototypeOf(metadata), Object.prototype);
  t.is(({} as Record<string, unknown>)['polluted'], undefined);
});
