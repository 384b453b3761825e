/**
 * The objects as the API serves them in one generation: each with its status filled in (withStatus) and its
 * metadata stamped from the metadata store (uid, creationTimestamp, generation, resourceVersion), indexed by key and
 * listed per kind sorted by namespace and name, as `kubectl get` prints them. Built once per generation swap
 * (serve-generation.ts) and never changed, so a list or a watcher only reads it.
 *
 * The namespaces `default`, `kube-system` and `kube-public`, and every namespace an object lives in, are served as
 * Namespace objects even when no manifest defines them: a cluster has them, and kubectl expects them.
 */
import type { LoadedObject } from '../../config/loaded-object.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { storeKey } from '../../store/object-store.ts';

/** One served object; `loaded` is null for a namespace that exists implicitly. */
export interface ServedEntry {
  readonly key: string;
  readonly object: KubeObject;
  readonly loaded: LoadedObject | null;
  /** The object as configured with the API server's defaults filled in (before status and metadata are added). */
  readonly configured: KubeObject;
  /** The object as fingerprinted (serve-generation.ts): the next swap compares it as text before hashing anything. */
  readonly text: string;
  /**
   * Who writes this object anew each generation (`Service "web"` for its Endpoints, `edgeway` for Events): the
   * API refuses writes to it. Absent for objects from manifests and implicit namespaces.
   */
  readonly generatedBy?: string;
}

export const BUILT_IN_NAMESPACES: readonly string[] = ['default', 'kube-public', 'kube-system'];

const EMPTY: readonly ServedEntry[] = Object.freeze([]);

export class ServedView {
  /** The store revision this view is at: the resourceVersion of lists, and where a watch from it starts. */
  readonly revision: number;
  readonly #byKey: ReadonlyMap<string, ServedEntry>;
  readonly #byKind: ReadonlyMap<string, readonly ServedEntry[]>;

  constructor(revision: number, entries: Iterable<ServedEntry>) {
    this.revision = revision;
    const byKey = new Map<string, ServedEntry>();
    const byKind = new Map<string, ServedEntry[]>();
    for (const e of entries) {
      byKey.set(e.key, e);
      const list = byKind.get(e.object.kind);
      if (list === undefined) byKind.set(e.object.kind, [e]);
      else list.push(e);
    }
    for (const list of byKind.values()) list.sort(byNamespaceAndName);
    this.#byKey = byKey;
    this.#byKind = byKind;
  }

  get(kind: string, namespace: string | undefined, name: string): ServedEntry | undefined {
    return this.#byKey.get(storeKey(kind, namespace, name));
  }

  getByKey(key: string): ServedEntry | undefined {
    return this.#byKey.get(key);
  }

  /** The objects of a kind sorted by namespace and name; with a namespace, only those in it. */
  list(kind: string, namespace?: string): readonly ServedEntry[] {
    const all = this.#byKind.get(kind) ?? EMPTY;
    return namespace === undefined ? all : all.filter((e) => e.object.metadata.namespace === namespace);
  }

  /** Whether objects may be created in `namespace` (it is served as a Namespace). */
  hasNamespace(namespace: string): boolean {
    return this.#byKey.has(storeKey('Namespace', undefined, namespace));
  }
}

export const EMPTY_VIEW = new ServedView(0, []);

function byNamespaceAndName(a: ServedEntry, b: ServedEntry): number {
  const an = a.object.metadata.namespace ?? '';
  const bn = b.object.metadata.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  const x = a.object.metadata.name;
  const y = b.object.metadata.name;
  return x < y ? -1 : x > y ? 1 : 0;
}
