/**
 * JSON patch (RFC 6902) as a table: every operation, pointer escaping, array positions, the test operation, and the
 * API server's answers for bad bodies (400) and operations that do not apply (422); `__proto__` stays a plain key.
 */
import test from 'ava';
import { applyJsonPatch } from '../src/api/patch/json-patch.ts';

const DOC = { metadata: { name: 'web', labels: { app: 'web', 'a/b': 'x', 'c~d': 'y' } }, spec: { ports: [{ port: 80 }, { port: 443 }], type: 'ClusterIP' } };

const OK: readonly { name: string; ops: unknown[]; want: unknown }[] = [
  { name: 'add a key', ops: [{ op: 'add', path: '/spec/selector', value: { app: 'web' } }], want: { ...DOC, spec: { ...DOC.spec, selector: { app: 'web' } } } },
  { name: 'add replaces an existing key', ops: [{ op: 'add', path: '/spec/type', value: 'NodePort' }], want: { ...DOC, spec: { ...DOC.spec, type: 'NodePort' } } },
  { name: 'add inserts into a list', ops: [{ op: 'add', path: '/spec/ports/1', value: { port: 8080 } }], want: { ...DOC, spec: { ...DOC.spec, ports: [{ port: 80 }, { port: 8080 }, { port: 443 }] } } },
  { name: 'add appends with -', ops: [{ op: 'add', path: '/spec/ports/-', value: { port: 9 } }], want: { ...DOC, spec: { ...DOC.spec, ports: [{ port: 80 }, { port: 443 }, { port: 9 }] } } },
  { name: 'add at the end index', ops: [{ op: 'add', path: '/spec/ports/2', value: { port: 9 } }], want: { ...DOC, spec: { ...DOC.spec, ports: [{ port: 80 }, { port: 443 }, { port: 9 }] } } },
  { name: 'remove a key', ops: [{ op: 'remove', path: '/spec/type' }], want: { ...DOC, spec: { ports: DOC.spec.ports } } },
  { name: 'remove a list item', ops: [{ op: 'remove', path: '/spec/ports/0' }], want: { ...DOC, spec: { ...DOC.spec, ports: [{ port: 443 }] } } },
  { name: 'replace', ops: [{ op: 'replace', path: '/spec/ports/1/port', value: 8443 }], want: { ...DOC, spec: { ...DOC.spec, ports: [{ port: 80 }, { port: 8443 }] } } },
  { name: 'escaped pointers ~1 and ~0', ops: [{ op: 'remove', path: '/metadata/labels/a~1b' }, { op: 'remove', path: '/metadata/labels/c~0d' }], want: { ...DOC, metadata: { name: 'web', labels: { app: 'web' } } } },
  { name: 'move', ops: [{ op: 'move', from: '/spec/type', path: '/spec/kind' }], want: { ...DOC, spec: { ports: DOC.spec.ports, kind: 'ClusterIP' } } },
  { name: 'copy', ops: [{ op: 'copy', from: '/spec/ports/0', path: '/spec/ports/-' }], want: { ...DOC, spec: { ...DOC.spec, ports: [{ port: 80 }, { port: 443 }, { port: 80 }] } } },
  { name: 'test passes (key order does not matter), then replace', ops: [{ op: 'test', path: '/spec/ports/0', value: { port: 80 } }, { op: 'replace', path: '/spec/type', value: 'NodePort' }], want: { ...DOC, spec: { ...DOC.spec, type: 'NodePort' } } },
  { name: 'empty patch', ops: [], want: DOC },
  { name: 'replace the whole document', ops: [{ op: 'replace', path: '', value: { a: 1 } }], want: { a: 1 } },
];

for (const c of OK) {
  test(`json patch: ${c.name}`, (t) => {
    const before = structuredClone(DOC);
    const result = applyJsonPatch(DOC, JSON.stringify(c.ops));
    t.true(result.ok);
    if (result.ok) t.deepEqual(result.value, c.want);
    t.deepEqual(DOC, before, 'the target is not changed');
  });
}

const INVALID: readonly { name: string; ops: unknown[]; cause: string }[] = [
  { name: 'a failed test', ops: [{ op: 'test', path: '/spec/type', value: 'NodePort' }], cause: 'testing value /spec/type failed: test failed' },
  { name: 'a test of a missing path', ops: [{ op: 'test', path: '/spec/nope', value: 1 }], cause: 'testing value /spec/nope failed: test failed' },
  { name: 'replace of a missing key', ops: [{ op: 'replace', path: '/spec/nope', value: 1 }], cause: 'replace operation does not apply: doc is missing key: /spec/nope: missing value' },
  { name: 'remove of a missing key', ops: [{ op: 'remove', path: '/spec/nope' }], cause: 'remove operation does not apply: doc is missing path: "/spec/nope": missing value' },
  { name: 'add under a missing parent', ops: [{ op: 'add', path: '/status/x/y', value: 1 }], cause: 'add operation does not apply: doc is missing path: "/status/x/y": missing value' },
  { name: 'an index past the end', ops: [{ op: 'add', path: '/spec/ports/5', value: 1 }], cause: 'index out of bounds: 5 in /spec/ports/5' },
  { name: 'a leading-zero index', ops: [{ op: 'add', path: '/spec/ports/01', value: 1 }], cause: 'invalid array index "01" in /spec/ports/01' },
  { name: 'an unknown op', ops: [{ op: 'frobnicate', path: '/spec' }], cause: 'Unexpected kind: frobnicate' },
  { name: 'a missing path', ops: [{ op: 'add', value: 1 }], cause: 'operation missing path field: missing value' },
  { name: 'a pointer without a slash', ops: [{ op: 'add', path: 'spec', value: 1 }], cause: 'JSON pointer must be empty or start with a "/": "spec"' },
  { name: 'moving into itself', ops: [{ op: 'move', from: '/spec', path: '/spec/x' }], cause: 'move operation does not apply: from "/spec" is a prefix of path "/spec/x"' },
  { name: 'all or nothing: a later failure undoes nothing visible', ops: [{ op: 'remove', path: '/spec' }, { op: 'test', path: '/a', value: 1 }], cause: 'testing value /a failed: test failed' },
];

for (const c of INVALID) {
  test(`json patch 422: ${c.name}`, (t) => {
    const result = applyJsonPatch(DOC, JSON.stringify(c.ops));
    t.false(result.ok);
    if (result.ok) return;
    t.is(result.status.code, 422);
    t.is(result.status.reason, 'Invalid');
    t.is(result.status.message, 'the server rejected our request due to an error in our request');
    t.deepEqual(result.status.details?.causes, [{ reason: 'UnexpectedServerResponse', message: c.cause }]);
  });
}

test('json patch 400: a body that is not a list of operations', (t) => {
  for (const [body, message] of [
    ['{"op":"add"}', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['"x"', 'json: cannot unmarshal string into Go value of type jsonpatch.Patch'],
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
