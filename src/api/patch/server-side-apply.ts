/**
 * Server-side apply (`kubectl apply --server-side`, content type application/apply-patch+yaml): the applied
 * configuration is the manager's whole intent. Its fields merge into the live object (associative lists by their
 * list-map keys, sets by value, granular maps by key, everything else replaced), fields the manager applied before
 * and no longer applies are removed unless another manager owns them, and a field another manager owns that the
 * apply would change is a conflict: 409 with one FieldManagerConflict cause per field, unless `force` moves the
 * field to the applier. Pure: the live object is copied.
 */
import type { KindEntry } from '../../k8s/kind-entry.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { kubeStatus, type KubeStatus, type StatusCause } from '../kube-status.ts';
import { fieldRule } from './field-rules.ts';
import { elementStep, fieldSetOf, pathKey, printPath, removeAt, valueAt, type FieldPath } from './field-set.ts';
import { deepEqual, isPlainObject, putKey, type JsonObject } from './json-values.ts';
import { changedAt, readManagers, timestamp, withManagers, type Manager } from './managed-fields.ts';

export interface ApplyOptions {
  readonly fieldManager: string;
  readonly force: boolean;
  readonly now: Date;
}

export type ApplyResult = { readonly ok: true; readonly object: KubeObject } | { readonly ok: false; readonly status: KubeStatus };

interface Conflict {
  readonly manager: Manager;
  readonly path: FieldPath;
}

/** Applies the configuration `config` (already decoded) for `options.fieldManager` to `live` (null: create). */
export function serverSideApply(entry: KindEntry, live: KubeObject | null, config: unknown, options: ApplyOptions): ApplyResult {
  if (!isPlainObject(config)) return { ok: false, status: kubeStatus('BadRequest', 'error decoding YAML: the applied configuration must be an object') };
  if (config['apiVersion'] !== entry.apiVersion || config['kind'] !== entry.kind) {
    return {
      ok: false,
      status: kubeStatus(
        'BadRequest',
        `the API version in the data (${String(config['apiVersion'])}) and kind (${String(config['kind'])}) do not match the expected ${entry.apiVersion} ${entry.kind}`,
      ),
    };
  }
  if (options.fieldManager === '')
    return { ok: false, status: kubeStatus('BadRequest', 'PATCH, application/apply-patch+yaml requests must have a fieldManager') };
  const base: JsonObject = live === null ? { apiVersion: entry.apiVersion, kind: entry.kind, metadata: {} } : structuredClone(live);
  const applied = fieldSetOf(entry.kind, config);
  const managers = readManagers(live);
  if (live !== null && managers.length === 0) managers.push(beforeFirstApply(entry, live, options.now));
  const mine = managers.find((m) => m.manager === options.fieldManager && m.operation === 'Apply');
  const others = managers.filter((m) => m !== mine);

  const merged = mergeApplied(entry.kind, base, config, []) as JsonObject;
  // Fields this manager applied before and leaves out now go, unless someone else owns them or something inside.
  for (const [key, path] of mine?.fields ?? []) {
    if (applied.has(key)) continue;
    const prefix = `${key}\u0000`;
    const ownedElsewhere = others.some((m) => m.fields.has(key) || [...m.fields.keys()].some((k) => k.startsWith(prefix)));
    if (!ownedElsewhere) removeAt(merged, path.steps);
  }

  const conflicts: Conflict[] = [];
  if (live !== null) {
    for (const m of others) {
      for (const [key, path] of applied) if (m.fields.has(key) && changedAt(live, merged, path)) conflicts.push({ manager: m, path });
    }
  }
  if (conflicts.length > 0 && !options.force) return { ok: false, status: conflictStatus(conflicts) };
  for (const c of conflicts) c.manager.fields.delete(pathKey(c.path.steps));

  const mineNow: Manager = { manager: options.fieldManager, operation: 'Apply', apiVersion: entry.apiVersion, time: timestamp(options.now), fields: applied };
  const next = mine === undefined ? [...managers, mineNow] : managers.map((m) => (m === mine ? mineNow : m));
  // Fields that vanished (removed above, or replaced inside an atomic value) lose their other owners too.
  const present = fieldSetOf(entry.kind, merged);
  for (const m of next) for (const key of m.fields.keys()) if (!present.has(key)) m.fields.delete(key);
  return { ok: true, object: withManagers(merged as KubeObject, next) };
}

function mergeApplied(kind: string, live: unknown, config: unknown, names: readonly string[]): unknown {
  if (config === null || config === undefined) return live;
  const rule = names.length === 0 ? undefined : fieldRule(kind, names);
  if (rule?.type === 'atomic') return structuredClone(config);
  if (Array.isArray(config)) {
    if (rule?.type === 'set') {
      const out = Array.isArray(live) ? [...live] : [];
      for (const v of config) if (!out.some((o) => deepEqual(o, v))) out.push(v);
      return out;
    }
    if (rule?.type === 'map-list' && rule.ssaKeys !== undefined) {
      const keys = rule.ssaKeys;
      const out: unknown[] = Array.isArray(live) ? [...live] : [];
      for (const element of config) {
        if (!isPlainObject(element)) continue;
        const step = elementStep(element, keys);
        const current = valueAt(out, [step]);
        const at = current === undefined ? -1 : out.indexOf(current);
        const merged = mergeApplied(kind, current, element, names);
        if (at === -1) out.push(merged);
        else out[at] = merged;
      }
      return out;
    }
    return structuredClone(config);
  }
  if (!isPlainObject(config)) return config;
  const out: JsonObject = {};
  if (isPlainObject(live)) for (const [k, v] of Object.entries(live)) putKey(out, k, v);
  for (const [k, v] of Object.entries(config)) {
    if (v === null) continue;
    putKey(out, k, mergeApplied(kind, Object.hasOwn(out, k) ? out[k] : undefined, v, [...names, k]));
  }
  return out;
}

/**
 * An object written before any manager was recorded (from a file, or by an older edgeway) is owned by the
 * `before-first-apply` manager at its first apply, as the API server does, so the first apply cannot silently
 * change fields nobody claimed.
 */
function beforeFirstApply(entry: KindEntry, live: KubeObject, now: Date): Manager {
  return { manager: 'before-first-apply', operation: 'Update', apiVersion: entry.apiVersion, time: timestamp(now), fields: fieldSetOf(entry.kind, live) };
}

/** `"kubectl-client-side-apply" using v1` for an Update manager, `"name"` for an Apply manager. */
function printManager(m: Manager): string {
  return m.operation === 'Update' ? `${JSON.stringify(m.manager)} using ${m.apiVersion}` : JSON.stringify(m.manager);
}

function conflictStatus(conflicts: readonly Conflict[]): KubeStatus {
  const sorted = [...conflicts].sort((a, b) => compare(a.manager.manager, b.manager.manager) || compare(printPath(a.path.steps), printPath(b.path.steps)));
  const causes: StatusCause[] = sorted.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: printPath(c.path.steps),
  }));
  const first = sorted[0];
  if (sorted.length === 1 && first !== undefined) {
    return kubeStatus('Conflict', `Apply failed with 1 conflict: conflict with ${printManager(first.manager)}: ${printPath(first.path.steps)}`, { causes });
  }
  const lines: string[] = [];
  let last: Manager | undefined;
  for (const c of sorted) {
    if (c.manager !== last) lines.push(`conflicts with ${printManager(c.manager)}:`);
    last = c.manager;
    lines.push(`- ${printPath(c.path.steps)}`);
  }
  return kubeStatus('Conflict', `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`, { causes });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
