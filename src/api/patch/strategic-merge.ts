/**
 * Strategic merge patch, as `kubectl patch` (the default type), `kubectl apply` (client side) and `kubectl edit`
 * send it: a JSON merge patch whose lists merge by the kinds' merge keys (field-rules.ts) instead of being
 * replaced, with the directives `$patch: replace | merge | delete` (on maps and list elements; a deleted map
 * is left empty, as the API server leaves it),
 * `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>` and `$retainKeys`. Pure; the target is copied.
 *
 * Errors answer as the API server does where it answers a client error: a body that is not an object or a bad
 * directive is a 400, patch content outside `$retainKeys` a 422. A list element without its merge key (the API
 * server answers 500 there) is a 400 here, since it is the request that is wrong.
 */
import { kubeStatus, type KubeStatus } from '../kube-status.ts';
import { fieldRule } from './field-rules.ts';
import { deepEqual, isPlainObject, putKey, type JsonObject } from './json-values.ts';

export type StrategicResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly status: KubeStatus };

const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

class SmpError extends Error {
  readonly status: 'BadRequest' | 'Invalid';
  constructor(status: 'BadRequest' | 'Invalid', message: string) {
    super(message);
    this.status = status;
  }
}

/** Applies the strategic merge patch text `body` to `target`, an object of `kind`. */
export function applyStrategicPatch(kind: string, target: unknown, body: string): StrategicResult {
  let patch: unknown;
  try {
    patch = JSON.parse(body);
  } catch (err) {
    return { ok: false, status: kubeStatus('BadRequest', (err as Error).message) };
  }
  if (!isPlainObject(patch)) {
    const what = Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch;
    return { ok: false, status: kubeStatus('BadRequest', `json: cannot unmarshal ${what} into Go value of type map[string]interface {}`) };
  }
  try {
    const merged = mergeMap(kind, target, patch, []);
    return { ok: true, value: merged };
  } catch (err) {
    if (!(err instanceof SmpError)) throw err;
    if (err.status === 'Invalid')
      return { ok: false, status: kubeStatus('Invalid', REJECTED, { causes: [{ reason: 'UnexpectedServerResponse', message: err.message }] }) };
    return { ok: false, status: kubeStatus('BadRequest', err.message) };
  }
}

const REJECTED = 'the server rejected our request due to an error in our request';

function mergeMap(kind: string, original: unknown, patch: JsonObject, path: readonly string[]): JsonObject {
  const directive = patch['$patch'];
  if (directive === 'delete') return {};
  if (directive === 'replace') return mergeMap(kind, undefined, withoutKey(patch, '$patch'), path);
  if (directive !== undefined && directive !== 'merge')
    throw new SmpError('BadRequest', `Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);

  const out: JsonObject = {};
  if (isPlainObject(original)) for (const [k, v] of Object.entries(original)) putKey(out, k, v);

  const retain = patch['$retainKeys'];
  if (retain !== undefined && (!Array.isArray(retain) || !retain.every((k) => typeof k === 'string'))) {
    throw new SmpError('BadRequest', "doesn't satisfy strategic merge patch format: $retainKeys must be a list of strings");
  }
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith(DELETE_FROM)) continue;
    const field = key.slice(DELETE_FROM.length);
    if (!Array.isArray(value)) throw new SmpError('BadRequest', "doesn't satisfy strategic merge patch format: $deleteFromPrimitiveList must be a list");
    const current = out[field];
    if (Array.isArray(current))
      putKey(
        out,
        field,
        current.filter((item) => !value.some((v) => deepEqual(v, item))),
      );
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    if (retain !== undefined && !retain.includes(key)) throw new SmpError('Invalid', "patch content doesn't match retainKeys list");
    const at = [...path, key];
    putKey(out, key, mergeValue(kind, Object.hasOwn(out, key) ? out[key] : undefined, value, at));
  }
  if (retain !== undefined) for (const key of Object.keys(out)) if (!retain.includes(key)) delete out[key];
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const field = key.slice(SET_ORDER.length);
    if (!Array.isArray(order)) throw new SmpError('BadRequest', "doesn't satisfy strategic merge patch format: $setElementOrder must be a list");
    const list = out[field];
    if (Array.isArray(list))
      putKey(out, field, applyOrder(list, order, mergeKeyOf(kind, [...path, field]), Array.isArray(original) ? [] : listOf(original, field)));
  }
  return out;
}

function mergeValue(kind: string, original: unknown, value: unknown, path: readonly string[]): unknown {
  const rule = fieldRule(kind, path);
  // Maps always merge here: a map marked atomic (a Service selector) is atomic for server-side apply only.
  if (isPlainObject(value)) return mergeMap(kind, original, value, path);
  if (Array.isArray(value)) {
    if (rule?.type === 'map-list' && rule.smpKey !== undefined) return mergeList(kind, original, value, rule.smpKey, path);
    if (rule?.type === 'set') return mergeSet(original, value);
    return value.map(stripDirectives);
  }
  return value;
}

/** Merges list elements by `key`: matching elements merge, new ones append, `$patch: delete|replace` as directed. */
function mergeList(kind: string, original: unknown, patch: readonly unknown[], key: string, path: readonly string[]): unknown[] {
  if (patch.some((e) => isPlainObject(e) && e['$patch'] === 'replace')) {
    return patch.filter((e) => !(isPlainObject(e) && e['$patch'] === 'replace')).map(stripDirectives);
  }
  const out: unknown[] = Array.isArray(original) ? [...original] : [];
  for (const element of patch) {
    if (!isPlainObject(element))
      throw new SmpError('BadRequest', `doesn't satisfy strategic merge patch format: ${path.join('.')} is a list of objects merged by ${key}`);
    if (!Object.hasOwn(element, key)) throw new SmpError('BadRequest', `map: ${JSON.stringify(element)} does not contain declared merge key: ${key}`);
    const at = out.findIndex((o) => isPlainObject(o) && deepEqual(o[key], element[key]));
    if (element['$patch'] === 'delete') {
      for (let i = out.length - 1; i >= 0; i--) {
        const o = out[i];
        if (isPlainObject(o) && deepEqual(o[key], element[key])) out.splice(i, 1);
      }
      continue;
    }
    const merged = mergeMap(kind, at === -1 ? undefined : out[at], element, path);
    if (at === -1) out.push(merged);
    else out[at] = merged;
  }
  return out;
}

function mergeSet(original: unknown, patch: readonly unknown[]): unknown[] {
  const out: unknown[] = Array.isArray(original) ? [...original] : [];
  for (const v of patch) if (!out.some((o) => deepEqual(o, v))) out.push(v);
  return out;
}

function mergeKeyOf(kind: string, path: readonly string[]): string | undefined {
  const rule = fieldRule(kind, path);
  return rule?.type === 'map-list' ? rule.smpKey : undefined;
}

function listOf(parent: unknown, field: string): readonly unknown[] {
  const value = isPlainObject(parent) ? parent[field] : undefined;
  return Array.isArray(value) ? value : [];
}

/**
 * `$setElementOrder`: elements named in `order` come in that order; the others (present only on the server) keep
 * their place after the element that preceded them in the original list.
 */
function applyOrder(list: readonly unknown[], order: readonly unknown[], key: string | undefined, original: readonly unknown[]): unknown[] {
  const identity = (e: unknown): unknown => (key !== undefined && isPlainObject(e) ? e[key] : e);
  const wanted = order.map((o) => (key !== undefined && isPlainObject(o) ? o[key] : o));
  const listed: unknown[] = [];
  for (const id of wanted) {
    const found = list.find((e) => deepEqual(identity(e), id));
    if (found !== undefined && !listed.includes(found)) listed.push(found);
  }
  const rest = list.filter((e) => !listed.includes(e));
  const out = [...listed];
  let front = 0;
  for (const element of rest) {
    const pos = original.findIndex((o) => deepEqual(identity(o), identity(element)));
    let insertAt = front;
    for (let i = pos - 1; i >= 0; i--) {
      const j = out.findIndex((e) => deepEqual(identity(e), identity(original[i])));
      if (j !== -1) {
        insertAt = j + 1;
        break;
      }
    }
    out.splice(insertAt, 0, element);
    if (insertAt === front) front++;
  }
  return out;
}

/** New content taken as it is, without directive keys (and without elements marked `$patch: delete`). */
function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((e) => !(isPlainObject(e) && e['$patch'] === 'delete')).map(stripDirectives);
  if (!isPlainObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) putKey(out, k, stripDirectives(v));
  return out;
}

function withoutKey(object: JsonObject, key: string): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(object)) if (k !== key) putKey(out, k, v);
  return out;
}
