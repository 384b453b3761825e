/**
 * The objects of one configuration generation, indexed by kind, namespace and name. Built once from the loaded
 * objects and never changed: a reload builds a new store. Controllers and the compiler read it.
 */
import type { KubeObject } from '../k8s/types.ts';
import type { LoadedObject } from '../config/loaded-object.ts';

const EMPTY: readonly LoadedObject[] = Object.freeze([]);

export class ObjectStore {
  readonly #byKey = new Map<string, LoadedObject>();
  readonly #byKind = new Map<string, LoadedObject[]>();
  readonly #byKindNamespace = new Map<string, LoadedObject[]>();

  /** Later objects with an existing key are ignored: the validator has already reported duplicates. */
  constructor(objects: Iterable<LoadedObject>) {
    for (const loaded of objects) {
      const { kind, metadata } = loaded.object;
      const key = storeKey(kind, metadata.namespace, metadata.name);
      if (this.#byKey.has(key)) continue;
      this.#byKey.set(key, loaded);
      push(this.#byKind, kind, loaded);
      push(this.#byKindNamespace, `${kind}\0${metadata.namespace ?? ''}`, loaded);
    }
  }

  get<T extends KubeObject>(kind: T['kind'], namespace: string | undefined, name: string): LoadedObject<T> | undefined {
    return this.#byKey.get(storeKey(kind, namespace, name)) as LoadedObject<T> | undefined;
  }

  /** Objects of a kind, in load order; with a namespace, only those in it. */
  list<T extends KubeObject>(kind: T['kind'], namespace?: string): readonly LoadedObject<T>[] {
    const found = namespace === undefined ? this.#byKind.get(kind) : this.#byKindNamespace.get(`${kind}\0${namespace}`);
    return (found ?? EMPTY) as readonly LoadedObject<T>[];
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

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
