/**
 * The static facts edgeway keeps about one Kubernetes kind: its API coordinates, the names kubectl accepts for it,
 * its scope and the columns `kubectl get` prints. One entry per kind in `kinds.ts`; validators and status decorators
 * live in the layers that own them, in tables keyed by the same kind names.
 */
import type { PrinterColumn } from './printer-column.ts';
import type { KubeObject } from './types.ts';

export interface KindEntry<K extends string = string> {
  /** `''` for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: K;
  /** `group/version`, or just the version for the core group: what objects carry in `apiVersion`. */
  readonly apiVersion: string;
  /** The URL segment and resource name: `services`. */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  /** Resource categories, as discovery reports them (`all` for what `kubectl get all` lists). */
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  /** The columns in the order an API server's Table output gives them. */
  readonly printerColumns: readonly PrinterColumn[];
  /** Fills in defaults the API server would set; no kind edgeway reads needs one yet. */
  readonly defaulter?: (object: KubeObject) => KubeObject;
}

export type KindSpec<K extends string> = Omit<KindEntry<K>, 'apiVersion' | 'singular' | 'shortNames' | 'categories'> &
  Partial<Pick<KindEntry<K>, 'singular' | 'shortNames' | 'categories'>>;

/** An entry with its apiVersion derived and the usual defaults: singular = lower-case kind, no short names or categories. */
export function kindEntry<const K extends string>(spec: KindSpec<K>): KindEntry<K> {
  return {
    ...spec,
    apiVersion: spec.group === '' ? spec.version : `${spec.group}/${spec.version}`,
    singular: spec.singular ?? spec.kind.toLowerCase(),
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
  };
}
