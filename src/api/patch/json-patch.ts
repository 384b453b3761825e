/**
 * JSON patch (RFC 6902), as `kubectl patch --type json` sends it: a list of add, remove, replace, move, copy and
 * test operations on JSON pointers. Pure; the target is copied, never changed.
 *
 * It behaves as the API server's JSON patch does, which scripts written against a cluster rely on, including where
 * that is more lenient than the RFC: `replace` of a missing object key adds it, array indices may be negative
 * (counted from the end) or have leading zeros, a missing `value` is null, `copy` from a missing key copies null,
 * and the empty pointer (the whole document) is not addressable. A body that is not a list of operations is a
 * 400 BadRequest; an operation that does not apply is a 422 Invalid with the API server's generic message and the
 * precise reason, worded as the API server words it, in details.causes. Keys are hostile input: `__proto__` stays
 * a plain own key.
 */
import { kubeStatus, type KubeStatus } from '../kube-status.ts';
import { deepEqual, isPlainObject, putKey, type JsonObject } from './json-values.ts';

export type JsonPatchResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly status: KubeStatus };

/** The API server's cap on operations in one JSON patch. */
const MAX_OPERATIONS = 10000;
const REJECTED = 'the server rejected our request due to an error in our request';
const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';

class PatchError extends Error {}

/** Applies the JSON patch text `body` to `target`. */
export function applyJsonPatch(target: unknown, body: string): JsonPatchResult {
  let ops: unknown;
  try {
    ops = JSON.parse(body);
  } catch (err) {
    return { ok: false, status: kubeStatus('BadRequest', `error decoding patch: ${(err as Error).message}`) };
  }
  if (ops === null) ops = [];
  if (!Array.isArray(ops))
    return { ok: false, status: kubeStatus('BadRequest', `json: cannot unmarshal ${jsonType(ops)} into Go value of type jsonpatch.Patch`) };
  const bad = ops.find((op) => op !== null && !isPlainObject(op));
  if (bad !== undefined)
    return { ok: false, status: kubeStatus('BadRequest', `json: cannot unmarshal ${jsonType(bad)} into Go value of type jsonpatch.Operation`) };
  if (ops.length > MAX_OPERATIONS) {
    return { ok: false, status: kubeStatus('BadRequest', `The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${ops.length}`) };
  }
  const doc = structuredClone(target);
  if (!isPlainObject(doc) && !Array.isArray(doc)) return { ok: false, status: kubeStatus('BadRequest', 'the patched document is not a JSON object') };
  try {
    for (const op of ops) applyOperation(doc, (op ?? {}) as JsonObject);
  } catch (err) {
    if (!(err instanceof PatchError)) throw err;
    return { ok: false, status: kubeStatus('Invalid', REJECTED, { causes: [{ reason: 'UnexpectedServerResponse', message: err.message }] }) };
  }
  return { ok: true, value: doc };
}

function applyOperation(doc: Container, op: JsonObject): void {
  const kind = typeof op['op'] === 'string' ? op['op'] : 'unknown';
  switch (kind) {
    case 'add': {
      const path = field(op, 'path', 'add operation failed to decode path', false);
      container(doc, path, `add operation does not apply: doc is missing path: "${path}"`).add(path, op['value'] ?? null, `error in add for path: '${path}'`);
      return;
    }
    case 'remove': {
      const path = field(op, 'path', 'remove operation failed to decode path', false);
      container(doc, path, `remove operation does not apply: doc is missing path: "${path}"`).remove(`error in remove for path: '${path}'`);
      return;
    }
    case 'replace': {
      const path = field(op, 'path', 'replace operation failed to decode path', true);
      const at = container(doc, path, `replace operation does not apply: doc is missing path: ${path}`);
      at.get(`replace operation does not apply: doc is missing key: ${path}`, true);
      at.set(op['value'] ?? null);
      return;
    }
    case 'move': {
      const from = field(op, 'from', 'move operation failed to decode from', true);
      const source = container(doc, from, `move operation does not apply: doc is missing from path: ${from}`);
      const value = source.get(`error in move for path: '${source.key}'`, false);
      source.remove(`error in move for path: '${source.key}'`);
      const path = field(op, 'path', 'move operation failed to decode path', true);
      container(doc, path, `move operation does not apply: doc is missing destination path: ${path}`).add(
        path,
        value ?? null,
        `error in move for path: '${path}'`,
      );
      return;
    }
    case 'copy': {
      const from = field(op, 'from', 'copy operation failed to decode from', true);
      const value = container(doc, from, `copy operation does not apply: doc is missing from path: ${from}`).get(`error in copy for from: '${from}'`, false);
      const path = field(op, 'path', 'copy operation failed to decode path', false);
      container(doc, path, `copy operation does not apply: doc is missing destination path: ${path}`).add(
        path,
        structuredClone(value ?? null),
        'error while adding value during copy',
      );
      return;
    }
    case 'test': {
      const path = field(op, 'path', 'test operation failed to decode path', true);
      const actual = container(doc, path, `test operation does not apply: is missing path: ${path}`).get(`error in test for path: '${path}'`, false);
      const expected = op['value'] ?? null;
      if ((actual ?? null) === null ? expected !== null : !deepEqual(actual, expected)) throw new PatchError(`testing value ${path} failed: test failed`);
      return;
    }
    default:
      throw new PatchError(`Unexpected kind: ${kind}`);
  }
}

/** A string field of the operation; `detailed` adds the reason the API server adds for that operation. */
function field(op: JsonObject, name: 'path' | 'from', context: string, detailed: boolean): string {
  const value = op[name];
  if (typeof value === 'string') return value;
  if (value !== undefined && value !== null) throw new PatchError(`${context}: json: cannot unmarshal ${jsonType(value)} into Go value of type string`);
  const reason = name === 'path' ? 'operation missing path field' : 'operation, missing from field';
  throw new PatchError(detailed ? `${context}: ${reason}: ${MISSING}` : `${context}: ${MISSING}`);
}

type Container = JsonObject | unknown[];

/** The object or array holding the pointer's last token, and that token. */
interface Slot {
  readonly key: string;
  get(context: string, strict: boolean): unknown;
  set(value: unknown): void;
  add(path: string, value: unknown, context: string): void;
  remove(context: string): void;
}

/** Resolves every token but the last; a pointer without "/" or through a missing or scalar node is `missing`. */
function container(doc: Container, pointer: string, missing: string): Slot {
  const tokens = pointer.split('/');
  if (tokens.length < 2) throw new PatchError(`${missing}: ${MISSING}`);
  let node: unknown = doc;
  for (const raw of tokens.slice(1, -1)) {
    const token = unescapeToken(raw);
    if (Array.isArray(node)) {
      const i = arrayIndex(token);
      node = i === undefined || i < 0 || i >= node.length ? undefined : node[i];
    } else {
      node = isPlainObject(node) && Object.hasOwn(node, token) ? node[token] : undefined;
    }
    if (!Array.isArray(node) && !isPlainObject(node)) throw new PatchError(`${missing}: ${MISSING}`);
  }
  const key = unescapeToken(tokens.at(-1) ?? '');
  return Array.isArray(node) ? arraySlot(node, key) : objectSlot(node as JsonObject, key);
}

function objectSlot(object: JsonObject, key: string): Slot {
  return {
    key,
    // An absent key reads as nothing (null), never as an error: so replace may add it, as the API server lets it.
    get: () => (Object.hasOwn(object, key) ? object[key] : undefined),
    set: (value) => putKey(object, key, value),
    add: (_path, value) => putKey(object, key, value),
    remove: (context) => {
      if (!Object.hasOwn(object, key)) throw new PatchError(`${context}: Unable to remove nonexistent key: ${key}: ${MISSING}`);
      delete object[key];
    },
  };
}

function arraySlot(array: unknown[], key: string): Slot {
  const indexOf = (context: string, size: number, forAdd: boolean): number => {
    const i = arrayIndex(key);
    if (i === undefined) {
      const prefix = forAdd ? `${context}: value was not a proper array index: '${key}'` : context;
      throw new PatchError(`${prefix}: strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
    }
    if (i >= size || i < -size) throw new PatchError(`${context}: Unable to access invalid index: ${i}: ${INVALID_INDEX}`);
    return i < 0 ? i + size : i;
  };
  let resolved = -1;
  return {
    key,
    get: (context, strict) => {
      try {
        resolved = indexOf(context, array.length, false);
      } catch (err) {
        if (strict) throw new PatchError(`${context}: ${MISSING}`);
        throw err;
      }
      return array[resolved];
    },
    set: (value) => {
      array[resolved] = value;
    },
    add: (_path, value, context) => {
      const i = key === '-' ? array.length : indexOf(context, array.length + 1, true);
      array.splice(i, 0, value);
    },
    remove: (context) => {
      array.splice(indexOf(context, array.length, false), 1);
    },
  };
}

/** An index as the API server reads one: optional sign, decimal digits (leading zeros allowed). */
function arrayIndex(token: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(token)) return undefined;
  const n = Number(token);
  return Number.isSafeInteger(n) ? n : undefined;
}

function unescapeToken(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value;
}
