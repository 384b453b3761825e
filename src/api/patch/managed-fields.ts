/**
 * `metadata.managedFields`: which manager owns which fields, one entry per manager and operation (Apply for
 * server-side apply, Update for every other write), each with its apiVersion, the time of its last change and its
 * fields as a `fieldsV1` tree. This file reads and writes the entries and does the bookkeeping of an Update: the
 * writer takes every field it changed (from whoever owned it, silently) and fields that disappeared lose their
 * owners. Pure: objects are copied.
 */
import type { KindEntry } from '../../k8s/kind-entry.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { deepEqual, isPlainObject } from './json-values.ts';
import { fieldSetOf, fromFieldsV1, toFieldsV1, valueAt, type FieldPath } from './field-set.ts';

export type Operation = 'Apply' | 'Update';

/** One entry while it is worked on: the set as a map, written back as fieldsV1. */
export interface Manager {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  readonly time: string;
  readonly fields: Map<string, FieldPath>;
}

/** The options every write passes (the same shape as apply-patch's PatchOptions). */
export interface TrackOptions {
  readonly fieldManager: string;
  readonly now: Date;
}

/** RFC 3339 to the second, as metav1.Time is written. */
export function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The entries recorded on `object`; malformed ones are dropped. */
export function readManagers(object: KubeObject | null): Manager[] {
  const list = (object?.metadata as { managedFields?: unknown } | undefined)?.managedFields;
  if (!Array.isArray(list)) return [];
  const out: Manager[] = [];
  for (const e of list) {
    if (!isPlainObject(e)) continue;
    const { manager, operation, apiVersion, time } = e;
    if (typeof manager !== 'string' || (operation !== 'Apply' && operation !== 'Update')) continue;
    out.push({
      manager,
      operation,
      apiVersion: typeof apiVersion === 'string' ? apiVersion : '',
      time: typeof time === 'string' ? time : '',
      fields: fromFieldsV1(e['fieldsV1']),
    });
  }
  return out;
}

/** `object` with `managers` written as its managedFields (left out when there are none). */
export function withManagers(object: KubeObject, managers: readonly Manager[]): KubeObject {
  const kept = managers.filter((m) => m.fields.size > 0);
  const { managedFields: _dropped, ...metadata } = object.metadata as KubeObject['metadata'] & { managedFields?: unknown };
  if (kept.length === 0) return { ...object, metadata };
  const managedFields = kept.map((m) => ({
    manager: m.manager,
    operation: m.operation,
    apiVersion: m.apiVersion,
    time: m.time,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(m.fields),
  }));
  return { ...object, metadata: { ...metadata, managedFields } as KubeObject['metadata'] };
}

/** Whether the member at `path` differs between two objects: leaves by value, containers by presence. */
export function changedAt(before: unknown, after: unknown, path: FieldPath): boolean {
  const a = valueAt(before, path.steps);
  const b = valueAt(after, path.steps);
  return path.leaf ? !deepEqual(a, b) : (a === undefined) !== (b === undefined);
}

/** managedFields bookkeeping for a write by `fieldManager` with operation Update. */
export function trackUpdate(entry: KindEntry, previous: KubeObject | null, next: KubeObject, options: TrackOptions): KubeObject {
  const managers = readManagers(previous);
  const before = previous === null ? new Map<string, FieldPath>() : fieldSetOf(entry.kind, previous);
  const after = fieldSetOf(entry.kind, next);
  const changed = [...after].filter(([key, path]) => !before.has(key) || changedAt(previous, next, path));
  for (const m of managers) {
    for (const key of m.fields.keys()) if (!after.has(key)) m.fields.delete(key);
    for (const [key] of changed) m.fields.delete(key);
  }
  const at = managers.findIndex((m) => m.manager === options.fieldManager && m.operation === 'Update' && m.apiVersion === entry.apiVersion);
  if (changed.length > 0) {
    const fields = new Map(at === -1 ? [] : managers[at]?.fields);
    for (const [key, path] of changed) fields.set(key, path);
    const updated: Manager = { manager: options.fieldManager, operation: 'Update', apiVersion: entry.apiVersion, time: timestamp(options.now), fields };
    if (at === -1) managers.push(updated);
    else managers[at] = updated;
  }
  return withManagers(next, managers);
}
