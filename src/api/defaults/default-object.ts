/**
 * Placeholder for defaulting on create (owned by the api-patch work, which replaces this file): the registry's own
 * defaulter when the kind has one, else the object as given.
 */
import type { KindEntry } from '../../k8s/kind-entry.ts';
import type { KubeObject } from '../../k8s/types.ts';

/** The object with the API server's defaults filled in; `lookup` lists other objects (e.g. IngressClasses). */
export function defaultObject(entry: KindEntry, object: KubeObject, _lookup: (kind: string) => readonly KubeObject[]): KubeObject {
  return entry.defaulter === undefined ? object : entry.defaulter(object);
}
