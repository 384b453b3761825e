/**
 * A StoreReader that records every read it passes through (which object, or which list, by identity), so a result
 * computed through it can later be reused for a new store exactly when every one of those reads still gives the
 * very same object or list there (`unchangedIn`). This is what keys the compile memo (snapshot/compile-memo.ts):
 * whatever a compile step reads is, by construction, part of its key, so a memoised result can never be stale as
 * long as the step is a pure function of the store and of the other inputs the memo compares.
 */
import type { LoadedObject } from '../config/loaded-object.ts';
import type { KubeObject } from '../k8s/types.ts';
import { kindBit, listKey, storeKey, type ObjectStore, type StoreReader } from './object-store.ts';

/** Recorded reads: keys with what they gave (get: an object or undefined; list: the array). */
export interface Reads {
  /** The kinds read, as kindBit() bits. */
  readonly kinds: number;
  readonly gets: ReadonlyMap<string, LoadedObject | undefined>;
  readonly lists: ReadonlyMap<string, readonly LoadedObject[]>;
}

export class RecordingReader implements StoreReader {
  readonly #store: ObjectStore;
  readonly #gets = new Map<string, LoadedObject | undefined>();
  readonly #lists = new Map<string, readonly LoadedObject[]>();
  #kinds = 0;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  get<T extends KubeObject>(kind: T['kind'], namespace: string | undefined, name: string): LoadedObject<T> | undefined {
    this.#kinds |= kindBit(kind);
    const key = storeKey(kind, namespace, name);
    const found = this.#store.getByKey(key) as LoadedObject<T> | undefined;
    this.#gets.set(key, found);
    return found;
  }

  list<T extends KubeObject>(kind: T['kind'], namespace?: string): readonly LoadedObject<T>[] {
    this.#kinds |= kindBit(kind);
    const key = listKey(kind, namespace);
    const found = this.#store.listByKey(key) as readonly LoadedObject<T>[];
    this.#lists.set(key, found);
    return found;
  }

  /** What was read so far; start a new reader per result. */
  get reads(): Reads {
    return { kinds: this.#kinds, gets: this.#gets, lists: this.#lists };
  }
}

/**
 * Whether every recorded read gives the very same object (or list) in `store`. `at`, a store where they are known
 * to (the one the reads were last checked in): when `store` is it or was patched from it, only the keys it replaced
 * are looked up among the reads, a few lookups instead of one per read (store/object-store.ts changesSince).
 */
export function unchangedIn(reads: Reads, store: ObjectStore, at?: ObjectStore): boolean {
  const changes = at === undefined ? undefined : store.changesSince(at);
  if (changes !== undefined) {
    if ((changes.kinds & reads.kinds) === 0) return true;
    const { gets, lists } = changes;
    for (let i = 0; i < gets.length; i++) if (reads.gets.has(gets[i]!)) return false;
    for (let i = 0; i < lists.length; i++) if (reads.lists.has(lists[i]!)) return false;
    return true;
  }
  for (const [key, value] of reads.gets) if (store.getByKey(key) !== value) return false;
  for (const [key, value] of reads.lists) if (store.listByKey(key) !== value) return false;
  return true;
}
