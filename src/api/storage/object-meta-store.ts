/**
 * Where the API keeps what the API server would keep beside each object: its uid, creation time, generation and
 * resourceVersion, and the store's revision counter that resourceVersions are taken from. Behind this small
 * interface so a shared store (etcd) can hold it later; the state directory holds it on one machine
 * (file-meta-store.ts). The revision only grows: a version once given is never given again, across restarts too.
 */

/** What is kept for one object, keyed by kind/namespace/name (store/object-store.ts storeKey). */
export interface StoredMeta {
  readonly uid: string;
  readonly creationTimestamp: string;
  /** Grows when anything but metadata and status changes, as the API server's metadata.generation. */
  readonly generation: number;
  /** The store revision of the object's last change. */
  readonly resourceVersion: number;
  /** Fingerprint of the object without metadata and status: a change bumps generation. */
  readonly specHash: string;
  /** Fingerprint of the object as served (labels, annotations, status included): a change bumps resourceVersion. */
  readonly hash: string;
}

export interface MetaState {
  /** The highest resourceVersion ever given. */
  readonly revision: number;
  readonly objects: ReadonlyMap<string, StoredMeta>;
}

export const EMPTY_META_STATE: MetaState = { revision: 0, objects: new Map() };

export interface ObjectMetaStore {
  load(): Promise<MetaState>;
  /** Persists `state` whole; resolves once it is durable. */
  save(state: MetaState): Promise<void>;
}
