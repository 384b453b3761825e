/**
 * The objects of one configuration generation, indexed by kind, namespace and name. Built once from the loaded
 * objects and never changed: a reload builds a new store. Controllers and the compiler read it (as a StoreReader).
 *
 * A reload's store is built from the previous one when the objects are the previous ones in the same order with a
 * few replaced in place (same identity key): the indexes are copied and patched, and every per-kind list that holds
 * no replaced object is the very same array as before, so a compile can tell by identity that, say, no Endpoints
 * changed (see snapshot/compile-memo.ts).
 */
import type { KubeObject } from '../k8s/types.ts';
import type { LoadedObject } from '../config/loaded-object.ts';

const EMPTY: readonly LoadedObject[] = Object.freeze([]);

/** What a patched store replaced relative to the store it was patched from: get() keys and list() keys. */
export interface StoreChanges {
  /** The kinds replaced, as kindBit() bits: a memo entry that read none of them needs no lookup at all. */
  readonly kinds: number;
  /** Arrays, not sets: memo checks walk them once per entry, and a few strings need no hashing to walk. */
  readonly gets: readonly string[];
  readonly lists: readonly string[];
}

const NO_CHANGES: StoreChanges = { kinds: 0, gets: [], lists: [] };

const kindBits = new Map<string, number>();
/** Kinds beyond the first 30 seen share the last bit (a false match only means a closer look). */
const SHARED_BIT = 1 << 30;

/** One bit per kind (a handful exist), so sets of kinds are integers and "did it read a changed kind" is one AND. */
export function kindBit(kind: string): number {
  let bit = kindBits.get(kind);
  if (bit === undefined) kindBits.set(kind, (bit = kindBits.size < 30 ? 1 << kindBits.size : SHARED_BIT));
  return bit;
}

/** What compilation reads of a store; a recording view (store/recording-reader.ts) implements it too. */
export interface StoreReader {
  get<T extends KubeObject>(kind: T['kind'], namespace: string | undefined, name: string): LoadedObject<T> | undefined;
  /** Objects of a kind, in load order; with a namespace, only those in it. */
  list<T extends KubeObject>(kind: T['kind'], namespace?: string): readonly LoadedObject<T>[];
}

export class ObjectStore implements StoreReader {
  #byKey = new Map<string, LoadedObject>();
  #byKind = new Map<string, LoadedObject[]>();
  #byKindNamespace = new Map<string, LoadedObject[]>();
  /** The objects kept, in load order. */
  #order: readonly LoadedObject[] = [];
  /** The store this one was patched from, and what was replaced: one step back only (next() drops older links). */
  #base: ObjectStore | undefined;
  #changes: StoreChanges = NO_CHANGES;

  /** Later objects with an existing key are ignored: the validator has already reported duplicates. */
  constructor(objects: Iterable<LoadedObject>) {
    const order: LoadedObject[] = [];
    this.#order = order;
    for (const loaded of objects) {
      const { kind, metadata } = loaded.object;
      const key = storeKey(kind, metadata.namespace, metadata.name);
      if (this.#byKey.has(key)) continue;
      this.#byKey.set(key, loaded);
      order.push(loaded);
      push(this.#byKind, kind, loaded);
      push(this.#byKindNamespace, kindNamespaceKey(kind, metadata.namespace ?? ''), loaded);
    }
  }

  /**
   * The store of `objects`, sharing what it can with `previous`: the same result as `new ObjectStore(objects)`,
   * built in time proportional to the objects replaced when only some were replaced in place (same kind, namespace
   * and name at the same position); otherwise built anew.
   */
  static next(previous: ObjectStore | undefined, objects: readonly LoadedObject[]): ObjectStore {
    if (previous === undefined || previous.#order.length !== objects.length) return new ObjectStore(objects);
    const order = previous.#order;
    const replaced: number[] = [];
    for (let i = 0; i < objects.length; i++) {
      if (objects[i] === order[i]) continue;
      const a = objects[i]!.object;
      const b = order[i]!.object;
      if (a.kind !== b.kind || a.metadata.namespace !== b.metadata.namespace || a.metadata.name !== b.metadata.name) return new ObjectStore(objects);
      replaced.push(i);
    }
    if (replaced.length === 0) return previous;
    // Copying three maps is native work; patching is per replaced object. Beyond a fraction, building anew is as cheap.
    if (replaced.length > objects.length / 8) return new ObjectStore(objects);
    const store = new ObjectStore([]);
    // The loader's array, kept as it is (readonly; a copy of 10,000 references per reload buys nothing).
    store.#order = objects;
    store.#byKey = new Map(previous.#byKey);
    store.#byKind = new Map(previous.#byKind);
    store.#byKindNamespace = new Map(previous.#byKindNamespace);
    const copied = new Set<LoadedObject[]>();
    const gets = new Set<string>();
    const lists = new Set<string>();
    let kinds = 0;
    for (const i of replaced) {
      const before = order[i]!;
      const after = objects[i]!;
      const { kind, metadata } = after.object;
      const key = storeKey(kind, metadata.namespace, metadata.name);
      const namespaced = kindNamespaceKey(kind, metadata.namespace ?? '');
      store.#byKey.set(key, after);
      replaceIn(store.#byKind, kind, before, after, copied);
      replaceIn(store.#byKindNamespace, namespaced, before, after, copied);
      kinds |= kindBit(kind);
      gets.add(key);
      lists.add(listKey(kind, undefined));
      lists.add(namespaced);
    }
    // Only one step back is kept, so a long run of reloads never chains every store it ever had.
    previous.#base = undefined;
    store.#base = previous;
    store.#changes = { kinds, gets: [...gets], lists: [...lists] };
    return store;
  }

  get<T extends KubeObject>(kind: T['kind'], namespace: string | undefined, name: string): LoadedObject<T> | undefined {
    return this.#byKey.get(storeKey(kind, namespace, name)) as LoadedObject<T> | undefined;
  }

  /** Objects of a kind, in load order; with a namespace, only those in it. */
  list<T extends KubeObject>(kind: T['kind'], namespace?: string): readonly LoadedObject<T>[] {
    const found = namespace === undefined ? this.#byKind.get(kind) : this.#byKindNamespace.get(kindNamespaceKey(kind, namespace));
    return (found ?? EMPTY) as readonly LoadedObject<T>[];
  }

  /** get() by a key from storeKey(), for re-checking recorded reads without building the key again. */
  getByKey(key: string): LoadedObject | undefined {
    return this.#byKey.get(key);
  }

  /** list() by a key from listKey(). */
  listByKey(key: string): readonly LoadedObject[] {
    return (key.startsWith('\0') ? this.#byKind.get(key.slice(1)) : this.#byKindNamespace.get(key)) ?? EMPTY;
  }

  /**
   * What changed since `earlier` when that is known cheaply: nothing when this is `earlier`, the replaced keys when
   * this store was patched from it by next(); undefined otherwise (compare reads one by one).
   */
  changesSince(earlier: ObjectStore): StoreChanges | undefined {
    if (earlier === this) return NO_CHANGES;
    return this.#base === earlier ? this.#changes : undefined;
  }

  get size(): number {
    return this.#byKey.size;
  }

  *[Symbol.iterator](): IterableIterator<LoadedObject> {
    yield* this.#byKey.values();
  }
}

export function storeKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\0${namespace ?? ''}\0${name}`;
}

/** The key of a list() call for listByKey: `\0kind` for every namespace, `kind\0namespace` for one. */
export function listKey(kind: string, namespace: string | undefined): string {
  return namespace === undefined ? `\0${kind}` : kindNamespaceKey(kind, namespace);
}

function kindNamespaceKey(kind: string, namespace: string): string {
  return `${kind}\0${namespace}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Replaces `before` by `after` in the list under `key`, copying the list once (the previous store keeps its own). */
function replaceIn(map: Map<string, LoadedObject[]>, key: string, before: LoadedObject, after: LoadedObject, copied: Set<LoadedObject[]>): void {
  let list = map.get(key)!;
  if (!copied.has(list)) {
    list = [...list];
    copied.add(list);
    map.set(key, list);
  }
  list[list.indexOf(before)] = after;
}
