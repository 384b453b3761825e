/**
 * What one API write changes in etcd, computed from the objects the write saw and the objects it wants: a put for
 * each new or changed object, a delete for each one gone, every operation guarded by the mod revision the write saw
 * (0 for an object that must not exist yet). etcd then applies all of them or none, so a write made from a view
 * another replica has moved past fails whole and is computed again from the new objects.
 *
 * The stored object carries what the API server stores beside the spec: a uid and creationTimestamp given once at
 * creation and kept on every update, and metadata.generation, one higher when anything but metadata and status
 * changed. resourceVersion is never stored; it is the key's mod revision. Pure but for `now` and `newUid`.
 */
import { canonicalJson } from '../config/canonical-json.ts';
import type { KindEntry } from '../k8s/kind-entry.ts';
import { kindEntryOf } from '../k8s/kinds.ts';
import type { KubeObject } from '../k8s/types.ts';
import { storeKey } from './object-store.ts';
import { registryKey } from './registry-key.ts';

/** One object as the write saw it: where it lives and the mod revision read. */
export interface SeenObject {
  readonly key: string;
  readonly object: KubeObject;
  readonly modRevision: number;
}

export type StoredChange =
  | { readonly op: 'put'; readonly key: string; readonly expected: number; readonly value: string }
  | { readonly op: 'delete'; readonly key: string; readonly expected: number };

export function storedChanges(
  prefix: string,
  seen: ReadonlyMap<string, SeenObject>,
  next: readonly KubeObject[],
  now: Date,
  newUid: () => string,
): StoredChange[] {
  const out: StoredChange[] = [];
  const kept = new Set<string>();
  // Objects handed back unchanged are known by identity: only the changed ones need a key computed.
  const unchanged = new Map<KubeObject, string>();
  for (const [id, s] of seen) unchanged.set(s.object, id);
  for (const o of next) {
    const same = unchanged.get(o);
    if (same !== undefined) {
      kept.add(same);
      continue;
    }
    const id = storeKey(o.kind, o.metadata.namespace, o.metadata.name);
    kept.add(id);
    const before = seen.get(id);
    const entry = kindEntryOf(o.kind);
    if (entry === undefined) throw new Error(`kind ${o.kind} has no registry entry`);
    const key = before?.key ?? registryKey(prefix, entry as KindEntry, o.metadata.namespace, o.metadata.name);
    out.push({ op: 'put', key, expected: before?.modRevision ?? 0, value: JSON.stringify(withStoredMeta(o, before?.object, now, newUid)) });
  }
  for (const [id, s] of seen) if (!kept.has(id)) out.push({ op: 'delete', key: s.key, expected: s.modRevision });
  return out;
}

function withStoredMeta(o: KubeObject, before: KubeObject | undefined, now: Date, newUid: () => string): KubeObject {
  const { resourceVersion: _rv, uid: _u, creationTimestamp: _c, generation: _g, ...rest } = o.metadata;
  const was = before?.metadata;
  const generation = was === undefined ? 1 : (was.generation ?? 1) + (sameSpec(o, before!) ? 0 : 1);
  const metadata = {
    ...rest,
    uid: was?.uid ?? newUid(),
    // To the second, as the API server writes metav1.Time.
    creationTimestamp: was?.creationTimestamp ?? now.toISOString().replace(/\.\d+Z$/, 'Z'),
    generation,
  };
  return { ...o, metadata };
}

function sameSpec(a: KubeObject, b: KubeObject): boolean {
  const { metadata: _ma, status: _sa, ...ra } = a;
  const { metadata: _mb, status: _sb, ...rb } = b;
  return canonicalJson(ra) === canonicalJson(rb);
}
