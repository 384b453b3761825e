/**
 * From one generation's store and snapshot to what the API serves: the ServedView, the metadata state after it and
 * the watch events between the previous view and this one. Pure but for the clock and new uids (both inputs).
 * Objects from files get the API server's defaults here (defaultObject), as written ones get them on write, so
 * every object reads complete.
 *
 * Each object is fingerprinted twice: as served, status included (a change takes the next resourceVersion), and
 * without metadata and status (a change also bumps metadata.generation, as the API server counts spec changes). An
 * object whose served form is unchanged keeps its resourceVersion, so an unrelated change never invalidates it;
 * condition times are left out (every compile stamps them anew). The served form is first compared as text with the
 * previous view's, so an unchanged object costs one JSON.stringify and is served as the very same object; the hashes
 * the state persists are computed on change only. Deletions take a resourceVersion too. Versions are given in store
 * order, so events come out ordered by version.
 *
 * When replicas share objects in etcd (`shared`), versions are etcd revisions. An object stored in etcd keeps what
 * etcd and the writer gave it: its mod revision as resourceVersion, and the uid, creationTimestamp and generation
 * stored with it, so every replica serves it alike. What the replica computes itself (objects from its files,
 * status, generated Endpoints, Events, deletions) takes the revision of the build's sync point, a revision etcd
 * handed to this replica alone and higher than any object it lists (store/etcd-object-layer.ts sync()); several
 * changes of one generation may then share it, as several keys of one etcd transaction share theirs.
 */
import { createHash } from 'node:crypto';
import type { LoadedObject } from '../../config/loaded-object.ts';
import { kindEntryOf } from '../../k8s/kinds.ts';
import type { KubeObject, Service } from '../../k8s/types.ts';
import { generatedEndpoints } from '../../controllers/generated-endpoints.ts';
import type { Snapshot } from '../../snapshot/snapshot.ts';
import { withStatus } from '../../status/with-status.ts';
import { defaultObject } from '../defaults/default-object.ts';
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
  /**
   * The Events to serve, asked for once the objects are stamped, so an Event can name its object's uid and
   * resourceVersion (api/events/event-log.ts); none when absent.
   */
  readonly events?: (metaOf: (key: string) => StoredMeta | undefined) => readonly KubeObject[];
  /** Set when objects are shared in etcd: the revision of this build's sync point (see the module comment). */
  readonly shared?: { readonly revision: number };
}

export interface Served {
  readonly view: ServedView;
  readonly state: MetaState;
  readonly events: readonly WatchEvent[];
}

export function serveGeneration(input: ServeInput): Served {
  const { state, previous } = input;
  const created = input.now.toISOString().replace(/\.\d+Z$/, 'Z');
  const shared = input.shared;
  let revision = state.revision;
  // A version for a change the replica computed itself: the next number, or the sync point's revision when shared.
  const next = shared === undefined ? () => ++revision : () => shared.revision;
  const metas = new Map<string, StoredMeta>();
  const entries: ServedEntry[] = [];
  const events: WatchEvent[] = [];

  const serve = (key: string, configured: KubeObject, decorated: KubeObject, loaded: LoadedObject | null, generatedBy?: string): void => {
    const text = servedText(decorated);
    const before = state.objects.get(key);
    const prior = before === undefined ? undefined : previous.getByKey(key);
    if (before !== undefined && prior !== undefined && prior.text === text) {
      // The common case on a reload: served as before. No hashing, and the very same object is served again.
      metas.set(key, before);
      entries.push(prior.loaded === loaded ? prior : { key, object: prior.object, loaded, configured, text, ...by(generatedBy) });
      return;
    }
    const hash = digest(text);
    const specHash = before !== undefined && before.hash === hash ? before.specHash : digest(JSON.stringify(withoutMetaAndStatus(configured)));
    const stored = shared !== undefined && loaded?.origin.kind === 'api' ? storedMeta(configured) : null;
    let meta: StoredMeta;
    if (stored !== null && (before === undefined || before.hash !== hash)) {
      // A new version in etcd is served as etcd has it; the same version with a changed status takes the sync point's.
      const resourceVersion = before === undefined || stored.resourceVersion > before.resourceVersion ? stored.resourceVersion : next();
      meta = { ...stored, resourceVersion, specHash, hash };
    } else if (before === undefined) {
      const m = configured.metadata;
      meta = { uid: m.uid ?? input.newUid(), creationTimestamp: m.creationTimestamp ?? created, generation: 1, resourceVersion: next(), specHash, hash };
    } else if (before.hash !== hash) {
      const generation = before.specHash === specHash ? before.generation : before.generation + 1;
      meta = { ...before, generation, resourceVersion: next(), specHash, hash };
    } else meta = before;
    metas.set(key, meta);
    const object = stamped(decorated, meta);
    entries.push({ key, object, loaded, configured, text, ...by(generatedBy) });
    if (meta === before) return;
    events.push({ type: prior === undefined ? 'ADDED' : 'MODIFIED', object, previous: prior?.object ?? null, resourceVersion: meta.resourceVersion });
  };

  const lists = new Map<string, readonly KubeObject[]>();
  const lookup = (kind: string): readonly KubeObject[] => {
    let found = lists.get(kind);
    if (found === undefined) lists.set(kind, (found = input.store.list(kind).map((l) => l.object)));
    return found;
  };
  const namespaces = new Set(BUILT_IN_NAMESPACES);
  for (const loaded of input.store) {
    const o = loaded.object;
    const ns = o.metadata.namespace;
    if (ns !== undefined) namespaces.add(ns);
    const entry = kindEntryOf(o.kind);
    const key = storeKey(o.kind, entry?.namespaced === true ? ns : undefined, o.metadata.name);
    // Defaults are filled in once per object version, as the API server fills them in once, when it is written.
    const prior = previous.getByKey(key);
    const configured = prior !== undefined && prior.loaded === loaded ? prior.configured : entry === undefined ? o : defaultObject(entry, o, lookup);
    const decorated = o.kind === 'Namespace' ? activeNamespace(configured) : withStatus(configured, input.snapshot);
    serve(key, configured, decorated, loaded);
  }
  // What the endpoint controllers would write for each Service with a selector, unless a manifest defines it itself.
  for (const service of input.store.list<Service>('Service')) {
    const generated = generatedEndpoints(input.store, service);
    if (generated === null) continue;
    const { namespace, name } = service.object.metadata;
    const owner = `Service ${JSON.stringify(name)}`;
    const uid = metas.get(storeKey('Service', namespace, name))?.uid;
    for (const o of [generated.endpoints, ...generated.slices]) {
      const key = storeKey(o.kind, namespace, o.metadata.name);
      if (metas.has(key)) continue;
      const owned = o.kind === 'EndpointSlice' && uid !== undefined ? ownedBy(o, name, uid) : o;
      serve(key, owned, owned, null, owner);
    }
  }
  for (const name of namespaces) {
    const key = storeKey('Namespace', undefined, name);
    if (metas.has(key)) continue;
    const ns = implicitNamespace(name);
    serve(key, ns, ns, null);
  }
  for (const event of input.events?.((key) => metas.get(key)) ?? []) {
    serve(storeKey('Event', event.metadata.namespace, event.metadata.name), event, event, null, 'edgeway');
  }
  for (const [key, before] of state.objects) {
    if (metas.has(key)) continue;
    const gone = previous.getByKey(key);
    const resourceVersion = next();
    if (gone === undefined) continue; // deleted while edgeway was stopped: nobody watched it
    events.push({ type: 'DELETED', object: stamped(gone.object, { ...before, resourceVersion }), previous: gone.object, resourceVersion });
  }
  if (shared !== undefined) {
    // A list's version covers every object in it: an etcd write the watch brought past the sync point included.
    revision = Math.max(revision, shared.revision);
    for (const meta of metas.values()) if (meta.resourceVersion > revision) revision = meta.resourceVersion;
    // etcd's versions and the sync point's interleave: a watcher must still hear them in order.
    events.sort((a, b) => a.resourceVersion - b.resourceVersion);
  }
  return { view: new ServedView(revision, entries), state: { revision, objects: metas }, events };
}

/** The metadata an object stored in etcd carries (store/stored-changes.ts), its mod revision as resourceVersion. */
function storedMeta(o: KubeObject): Omit<StoredMeta, 'specHash' | 'hash'> {
  const m = o.metadata;
  return { uid: m.uid ?? '', creationTimestamp: m.creationTimestamp ?? '', generation: m.generation ?? 1, resourceVersion: Number(m.resourceVersion) };
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

function by(generatedBy: string | undefined): { generatedBy?: string } {
  return generatedBy === undefined ? {} : { generatedBy };
}

/** A slice names its Service as controller owner, as the EndpointSlice controller sets it. */
function ownedBy(o: KubeObject, name: string, uid: string): KubeObject {
  const ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name, uid, controller: true, blockOwnerDeletion: true }];
  // ObjectMeta does not type ownerReferences: nothing edgeway reads uses them.
  return { ...o, metadata: { ...o.metadata, ownerReferences } as KubeObject['metadata'] };
}

function withoutMetaAndStatus(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}

/**
 * The served form as fingerprinted. Conditions edgeway computes (Service, Ingress) are stamped with the compile's
 * time by every compile, so their times are left out: an unchanged object then keeps the object served before, and
 * so the time its conditions last changed. A JSON.stringify replacer would do the same at several times the cost.
 */
function servedText(o: KubeObject): string {
  const status = o['status'] as { conditions?: unknown } | undefined;
  if ((o.kind !== 'Service' && o.kind !== 'Ingress') || status === undefined || !Array.isArray(status.conditions)) return JSON.stringify(o);
  const conditions = (status.conditions as Record<string, unknown>[]).map(({ lastTransitionTime: _t, ...rest }) => rest);
  return JSON.stringify({ ...o, status: { ...status, conditions } });
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
