/**
 * Field sets, the unit of server-side apply's ownership: every field of an object as a path of steps in the
 * `fieldsV1` notation (`f:spec`, `k:{"port":80,"protocol":"TCP"}` for an element of an associative list, `v:"x"`
 * for a member of a set), built from an object with the kind's field rules, written to and read from the
 * `managedFields[].fieldsV1` tree, and printed as the API server prints paths in conflict messages
 * (`.spec.ports[port=80,protocol="TCP"].targetPort`).
 *
 * Identity fields (apiVersion, kind, name, namespace, uid, resourceVersion, ...) and status belong to nobody, as
 * the API server strips them before tracking.
 */
import { fieldRule, LIST_KEY_DEFAULTS } from './field-rules.ts';
import { deepEqual, isPlainObject, putKey, type JsonObject } from './json-values.ts';

/** One path; `leaf` members are compared by value, others (list elements, granular maps and lists) by presence. */
export interface FieldPath {
  readonly steps: readonly string[];
  readonly leaf: boolean;
}

/** Members by their steps joined (steps never contain a NUL). */
export type FieldSet = ReadonlyMap<string, FieldPath>;

const SEP = '\u0000';
const UNOWNED_TOP = new Set(['apiVersion', 'kind', 'status']);
const UNOWNED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

export function pathKey(steps: readonly string[]): string {
  return steps.join(SEP);
}

/** The field set of `object`, a `kind` object. */
export function fieldSetOf(kind: string, object: unknown): Map<string, FieldPath> {
  const out = new Map<string, FieldPath>();
  if (!isPlainObject(object)) return out;
  for (const [key, value] of Object.entries(object)) {
    if (UNOWNED_TOP.has(key) || value === null) continue;
    if (key === 'metadata' && isPlainObject(value)) {
      for (const [mk, mv] of Object.entries(value)) {
        if (!UNOWNED_META.has(mk) && mv !== null) walk(kind, mv, ['metadata', mk], ['f:metadata', `f:${mk}`], out);
      }
      continue;
    }
    walk(kind, value, [key], [`f:${key}`], out);
  }
  return out;
}

function add(out: Map<string, FieldPath>, steps: readonly string[], leaf: boolean): void {
  out.set(pathKey(steps), { steps, leaf });
}

function walk(kind: string, value: unknown, names: readonly string[], steps: readonly string[], out: Map<string, FieldPath>): void {
  const rule = fieldRule(kind, names);
  if (rule?.type === 'atomic') return add(out, steps, true);
  if (Array.isArray(value)) {
    if (rule?.type === 'set') {
      add(out, steps, false);
      for (const item of value) add(out, [...steps, `v:${JSON.stringify(item)}`], true);
      return;
    }
    if (rule?.type === 'map-list' && rule.ssaKeys !== undefined) {
      add(out, steps, false);
      for (const element of value) {
        if (!isPlainObject(element)) continue;
        const at = [...steps, elementStep(element, rule.ssaKeys)];
        add(out, at, false);
        walkStruct(kind, element, names, at, out);
      }
      return;
    }
    return add(out, steps, true);
  }
  if (isPlainObject(value)) {
    if (rule?.type === 'map') {
      add(out, steps, false);
      for (const [k, v] of Object.entries(value)) if (v !== null) add(out, [...steps, `f:${k}`], true);
      return;
    }
    if (Object.keys(value).length === 0) return add(out, steps, true);
    return walkStruct(kind, value, names, steps, out);
  }
  add(out, steps, true);
}

function walkStruct(kind: string, value: JsonObject, names: readonly string[], steps: readonly string[], out: Map<string, FieldPath>): void {
  for (const [k, v] of Object.entries(value)) if (v !== null) walk(kind, v, [...names, k], [...steps, `f:${k}`], out);
}

/** `k:{"port":80,"protocol":"TCP"}`: the key fields present (or defaulted), in name order. */
export function elementStep(element: JsonObject, keys: readonly string[]): string {
  const id: JsonObject = {};
  for (const k of [...keys].sort()) {
    const value = keyValue(element, k);
    if (value !== undefined) putKey(id, k, value);
  }
  return `k:${JSON.stringify(id)}`;
}

function keyValue(element: JsonObject, key: string): unknown {
  return element[key] ?? LIST_KEY_DEFAULTS[key];
}

/** The value at `steps` in `object`, or undefined when there is none. */
export function valueAt(object: unknown, steps: readonly string[]): unknown {
  let node = object;
  for (const step of steps) {
    node = child(node, step);
    if (node === undefined) return undefined;
  }
  return node;
}

function child(node: unknown, step: string): unknown {
  const body = step.slice(2);
  if (step.startsWith('f:')) return isPlainObject(node) && Object.hasOwn(node, body) ? node[body] : undefined;
  if (!Array.isArray(node)) return undefined;
  if (step.startsWith('k:')) {
    const id = parseStep(body);
    if (!isPlainObject(id)) return undefined;
    return node.find((e) => isPlainObject(e) && Object.entries(id).every(([k, v]) => deepEqual(keyValue(e, k), v)));
  }
  if (step.startsWith('v:')) {
    const v = parseStep(body);
    return node.find((e) => deepEqual(e, v));
  }
  return node[Number(body)];
}

/** Removes the field or element at `steps` from `object` (changed in place: the caller's private copy). */
export function removeAt(object: unknown, steps: readonly string[]): void {
  const last = steps.at(-1);
  if (last === undefined) return;
  const parent = valueAt(object, steps.slice(0, -1));
  if (last.startsWith('f:')) {
    if (isPlainObject(parent)) delete parent[last.slice(2)];
    return;
  }
  if (!Array.isArray(parent)) return;
  const target = child(parent, last);
  const i = parent.indexOf(target);
  if (i !== -1) parent.splice(i, 1);
}

/** The `fieldsV1` tree of a set: `{"f:spec":{"f:ports":{".":{},"k:{...}":{...}}}}`. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  const members = new Set<JsonObject>();
  for (const path of set.values()) {
    let node = root;
    for (const step of path.steps) {
      const next = node[step];
      const created: JsonObject = isPlainObject(next) ? next : {};
      if (!isPlainObject(next)) putKey(node, step, created);
      node = created;
    }
    members.add(node);
  }
  return sortTree(root, members);
}

const STEP_ORDER = ['f:', 'k:', 'v:', 'i:'];

function sortTree(node: JsonObject, members: ReadonlySet<JsonObject>): JsonObject {
  const out: JsonObject = {};
  const keys = Object.keys(node).sort((a, b) => STEP_ORDER.indexOf(a.slice(0, 2)) - STEP_ORDER.indexOf(b.slice(0, 2)) || (a < b ? -1 : a > b ? 1 : 0));
  if (members.has(node) && keys.length > 0) out['.'] = {};
  for (const k of keys) putKey(out, k, sortTree(node[k] as JsonObject, members));
  return out;
}

/** The set a `fieldsV1` tree describes; malformed parts are skipped. */
export function fromFieldsV1(tree: unknown): Map<string, FieldPath> {
  const out = new Map<string, FieldPath>();
  const visit = (node: unknown, steps: readonly string[]): void => {
    if (!isPlainObject(node)) return;
    const children = Object.keys(node).filter((k) => k !== '.');
    if (steps.length > 0 && (children.length === 0 || Object.hasOwn(node, '.'))) add(out, steps, children.length === 0);
    for (const k of children) if (/^[fkvi]:/.test(k)) visit(node[k], [...steps, k]);
  };
  visit(tree, []);
  return out;
}

/** `.spec.ports[port=80,protocol="TCP"].targetPort`, as conflict messages print a path. */
export function printPath(steps: readonly string[]): string {
  let out = '';
  for (const step of steps) {
    const body = step.slice(2);
    if (step.startsWith('f:')) out += `.${body}`;
    else if (step.startsWith('k:')) {
      const id = parseStep(body);
      out += `[${Object.entries(isPlainObject(id) ? id : {})
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    } else if (step.startsWith('v:')) out += `[=${body}]`;
    else out += `[${body}]`;
  }
  return out;
}

/** The JSON inside a `k:` or `v:` step; steps read from stored managedFields may be malformed. */
function parseStep(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
