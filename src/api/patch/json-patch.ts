/**
 * JSON patch (RFC 6902), as `kubectl patch --type json` sends it: a list of add, remove, replace, move, copy and
 * test operations on JSON pointers (RFC 6901). Pure; the target is copied, never changed.
 *
 * Answers as the API server does: a body that is not a list of operations is a 400 BadRequest; an operation that
 * does not apply (a failed test, a missing path) a 422 Invalid whose message is the API server's generic one, with
 * the precise reason kept in details.causes. Keys are hostile input: `__proto__` stays a plain own key.
 */
import { kubeStatus, type KubeStatus } from '../kube-status.ts';
import { deepEqual, isPlainObject, putKey } from './json-values.ts';

export type JsonPatchResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly status: KubeStatus };

/** The API server's cap on operations in one JSON patch. */
const MAX_OPERATIONS = 10000;

const REJECTED = 'the server rejected our request due to an error in our request';

class PatchError extends Error {}

/** Applies the JSON patch text `body` to `target`. */
export function applyJsonPatch(target: unknown, body: string): JsonPatchResult {
  let ops: unknown;
  try {
    ops = JSON.parse(body);
  } catch (err) {
    return { ok: false, status: kubeStatus('BadRequest', `error decoding patch: ${(err as Error).message}`) };
  }
  if (!Array.isArray(ops)) {
    return { ok: false, status: kubeStatus('BadRequest', `json: cannot unmarshal ${jsonType(ops)} into Go value of type jsonpatch.Patch`) };
  }
  if (ops.length > MAX_OPERATIONS) {
    return { ok: false, status: kubeStatus('BadRequest', `The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${ops.length}`) };
  }
  let doc = structuredClone(target);
  try {
    for (const op of ops) doc = applyOperation(doc, op);
  } catch (err) {
    if (!(err instanceof PatchError)) throw err;
    return { ok: false, status: kubeStatus('Invalid', REJECTED, { causes: [{ reason: 'UnexpectedServerResponse', message: err.message }] }) };
  }
  return { ok: true, value: doc };
}

function applyOperation(doc: unknown, op: unknown): unknown {
  if (!isPlainObject(op)) throw new PatchError(`operation is not an object: ${JSON.stringify(op)}`);
  const kind = op['op'];
  const path = op['path'];
  if (typeof path !== 'string') throw new PatchError(`operation missing path field: missing value`);
  switch (kind) {
    case 'add':
      return add(doc, path, requireValue(op, 'add'));
    case 'remove':
      return remove(doc, path, 'remove').doc;
    case 'replace': {
      const value = requireValue(op, 'replace');
      if (!has(doc, parsePointer(path))) throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
      return set(doc, parsePointer(path), structuredClone(value), 'replace');
    }
    case 'move': {
      const from = requireFrom(op, 'move');
      if (path.startsWith(`${from}/`)) throw new PatchError(`move operation does not apply: from ${JSON.stringify(from)} is a prefix of path ${JSON.stringify(path)}`);
      const taken = remove(doc, from, 'move');
      return add(taken.doc, path, taken.value);
    }
    case 'copy': {
      const from = requireFrom(op, 'copy');
      const tokens = parsePointer(from);
      if (!has(doc, tokens)) throw new PatchError(`copy operation does not apply: doc is missing from path: ${JSON.stringify(from)}: missing value`);
      return add(doc, path, structuredClone(get(doc, tokens)));
    }
    case 'test': {
      const value = requireValue(op, 'test');
      const tokens = parsePointer(path);
      if (!has(doc, tokens) || !deepEqual(get(doc, tokens), value)) throw new PatchError(`testing value ${path} failed: test failed`);
      return doc;
    }
    default:
      throw new PatchError(`Unexpected kind: ${String(kind)}`);
  }
}

function requireValue(op: Readonly<Record<string, unknown>>, kind: string): unknown {
  if (!Object.hasOwn(op, 'value')) throw new PatchError(`${kind} operation has no value: missing value`);
  return op['value'];
}

function requireFrom(op: Readonly<Record<string, unknown>>, kind: string): string {
  const from = op['from'];
  if (typeof from !== 'string') throw new PatchError(`${kind} operation missing from field: missing value`);
  return from;
}

/** RFC 6901: `/a/b~1c` → ['a', 'b/c']; the empty pointer is the whole document. */
export function parsePointer(pointer: string): readonly string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`JSON pointer must be empty or start with a "/": ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** An array index token: digits without leading zeros, within `max` (inclusive). */
function index(token: string, max: number, pointer: readonly string[]): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`invalid array index ${JSON.stringify(token)} in ${render(pointer)}`);
  const i = Number(token);
  if (i > max) throw new PatchError(`index out of bounds: ${i} in ${render(pointer)}`);
  return i;
}

function render(tokens: readonly string[]): string {
  return tokens.map((t) => `/${t.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

function has(doc: unknown, tokens: readonly string[]): boolean {
  let node = doc;
  for (const t of tokens) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(t) || Number(t) >= node.length) return false;
      node = node[Number(t)];
    } else if (isPlainObject(node) && Object.hasOwn(node, t)) {
      node = node[t];
    } else {
      return false;
    }
  }
  return true;
}

function get(doc: unknown, tokens: readonly string[]): unknown {
  let node = doc;
  for (const t of tokens) node = Array.isArray(node) ? node[Number(t)] : (node as Record<string, unknown>)[t];
  return node;
}

/** The container holding the last token, which must exist. */
function parent(doc: unknown, tokens: readonly string[], kind: string): unknown {
  const up = tokens.slice(0, -1);
  if (!has(doc, up)) throw new PatchError(`${kind} operation does not apply: doc is missing path: ${JSON.stringify(render(tokens))}: missing value`);
  const node = get(doc, up);
  if (!Array.isArray(node) && !isPlainObject(node)) {
    throw new PatchError(`${kind} operation does not apply: ${JSON.stringify(render(up))} is not a container: missing value`);
  }
  return node;
}

function add(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  const last = tokens.at(-1);
  if (last === undefined) return structuredClone(value);
  const node = parent(doc, tokens, 'add');
  if (Array.isArray(node)) {
    const i = last === '-' ? node.length : index(last, node.length, tokens);
    node.splice(i, 0, structuredClone(value));
  } else {
    putKey(node as Record<string, unknown>, last, structuredClone(value));
  }
  return doc;
}

function set(doc: unknown, tokens: readonly string[], value: unknown, kind: string): unknown {
  const last = tokens.at(-1);
  if (last === undefined) return value;
  const node = parent(doc, tokens, kind);
  if (Array.isArray(node)) node[index(last, node.length - 1, tokens)] = value;
  else putKey(node as Record<string, unknown>, last, value);
  return doc;
}

function remove(doc: unknown, path: string, kind: string): { readonly doc: unknown; readonly value: unknown } {
  const tokens = parsePointer(path);
  const last = tokens.at(-1);
  if (last === undefined) throw new PatchError(`${kind} operation does not apply: the whole document cannot be removed`);
  if (!has(doc, tokens)) throw new PatchError(`${kind} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
  const node = parent(doc, tokens, kind);
  if (Array.isArray(node)) {
    const [value] = node.splice(Number(last), 1);
    return { doc, value };
  }
  const record = node as Record<string, unknown>;
  const value = record[last];
  delete record[last];
  return { doc, value };
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  return typeof value;
}
