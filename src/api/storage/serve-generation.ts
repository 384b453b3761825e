/**
 * From one generation's store and snapshot to what the API serves: the ServedView, the metadata state after it and
 * the watch events between the previous view and this one. Pure but for the clock and new uids (both inputs).
 *
 * Each object is fingerprinted twice: without metadata and status (a change bumps metadata.generation, as the API
 * server counts spec changes) and as served, status included (a change takes the next resourceVersion). An object
 * whose fingerprint is unchanged keeps its resourceVersion, so an unrelated change never invalidates it. Deletions
 * take a resourceVersion too. Condition times are left out of the fingerprint: every compile stamps them anew.
 * Versions are given in store order, so events come out ordered by version.
 */
import { createHash } from 'node:crypto';
import type { LoadedObject } from '../../config/loaded-object.ts';
import { kindEntryOf } from '../../k8s/kinds.ts';
import type { KubeObject } from '../../k8s/types.ts';
import type { Snapshot } from '../../snapshot/snapshot.ts';
import { withStatus } from '../../status/with-status.ts';
import { storeKey, type ObjectStore } from '../../store/object-store.ts';
import type { WatchEvent } from '../watch/watch-event.ts';
import type { MetaState, StoredMeta } from './object-meta-store.ts';
import { BUILT_IN_NAMESPACES, ServedView, type ServedEntry } from './served-view.ts';

export interface ServeInput {
  readonly store: ObjectStore;
  readonly snapshot: Snapshot;
  readonly state: MetaState;
  /** The view served until now (for the objects of MODIFIED and DELETED events). */
  readonly previous: ServedView;
  readonly now: Date;
  readonly newUid: () => string;
}

export interface Served {
  readonly view: ServedView;
  readonly state: MetaState;
  readonly events: readonly WatchEvent[];
}

export function serveGeneration(input: ServeInput): Served {
  const { state, previous } = input;
  const created = input.now.toISOString().replace(/\.\d+Z$/, 'Z');
  let revision = state.revision;
  const metas = new Map<string, StoredMeta>();
  const entries: ServedEntry[] = [];
  const events: WatchEvent[] = [];

  const serve = (key: string, configured: KubeObject, decorated: KubeObject, loaded: LoadedObject | null): void => {
    const specHash = fingerprint(withoutMetaAndStatus(configured));
    const hash = fingerprint(decorated);
    const before = state.objects.get(key);
    let meta: StoredMeta;
    if (before === undefined) {
      const m = configured.metadata;
      meta = { uid: m.uid ?? input.newUid(), creationTimestamp: m.creationTimestamp ?? created, generation: 1, resourceVersion: ++revision, specHash, hash };
    } else if (before.hash !== hash) {
      const generation = before.specHash === specHash ? before.generation : before.generation + 1;
      meta = { ...before, generation, resourceVersion: ++revision, specHash, hash };
    } else meta = before;
    metas.set(key, meta);
    const prior = before === undefined ? undefined : previous.getByKey(key);
    // Unchanged: the object served before stays, condition times included (they are outside the fingerprint).
    const object = meta === before && prior !== undefined ? prior.object : stamped(decorated, meta);
    entries.push({ key, object, loaded });
    if (meta === before) return;
    events.push({ type: prior === undefined ? 'ADDED' : 'MODIFIED', object, previous: prior?.object ?? null, resourceVersion: meta.resourceVersion });
  };

  const namespaces = new Set(BUILT_IN_NAMESPACES);
  for (const loaded of input.store) {
    const o = loaded.object;
    const ns = o.metadata.namespace;
    if (ns !== undefined) namespaces.add(ns);
    const key = storeKey(o.kind, kindEntryOf(o.kind)?.namespaced === true ? ns : undefined, o.metadata.name);
    const decorated = o.kind === 'Namespace' ? activeNamespace(o) : withStatus(o, input.snapshot);
    serve(key, o, decorated, loaded);
  }
  for (const name of namespaces) {
    const key = storeKey('Namespace', undefined, name);
    if (metas.has(key)) continue;
    const ns = implicitNamespace(name);
    serve(key, ns, ns, null);
  }
  for (const [key, before] of state.objects) {
    if (metas.has(key)) continue;
    const gone = previous.getByKey(key);
    const resourceVersion = ++revision;
    if (gone === undefined) continue; // deleted while edgeway was stopped: nobody watched it
    events.push({ type: 'DELETED', object: stamped(gone.object, { ...before, resourceVersion }), previous: gone.object, resourceVersion });
  }
  return { view: new ServedView(revision, entries), state: { revision, objects: metas }, events };
}

/** The object with the metadata the API server keeps; Secrets are served without their values. */
function stamped(object: KubeObject, meta: StoredMeta): KubeObject {
  const { name, namespace, ...rest } = object.metadata;
  const metadata = {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...rest,
    uid: meta.uid,
    resourceVersion: String(meta.resourceVersion),
    generation: meta.generation,
    creationTimestamp: meta.creationTimestamp,
  };
  if (object.kind !== 'Secret') return { ...object, metadata };
  const { data: _data, stringData: _stringData, ...kept } = object;
  return { ...kept, metadata } as KubeObject;
}

function withoutMetaAndStatus(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

function fingerprint(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value, withoutTransitionTimes)).digest('base64url');
}

/** Conditions are restamped by every compile; a condition's time alone is no change of the object. */
function withoutTransitionTimes(key: string, value: unknown): unknown {
  return key === 'lastTransitionTime' ? undefined : value;
}

function activeNamespace(o: KubeObject): KubeObject {
  const status = (o['status'] as Record<string, unknown> | undefined) ?? {};
  return status['phase'] === undefined ? { ...o, status: { ...status, phase: 'Active' } } : o;
}

function implicitNamespace(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}
