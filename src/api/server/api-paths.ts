/**
 * The Kubernetes REST paths the admin API serves, parsed into (resource, namespace, name). Pure: the path in, the
 * request target out, or null for a path the API does not know (404).
 *
 *   /api/v1/{resource}                              every namespace (or a cluster-scoped kind)
 *   /api/v1/{resource}/{name}                       a cluster-scoped object
 *   /api/v1/namespaces/{ns}/{resource}[/{name}]     namespaced
 *   /apis/{group}/{version}/...                     the same shapes for the other groups
 *
 * The resources are the kinds of the registry (`k8s/kinds.ts`).
 */
import type { KindEntry } from '../../k8s/kind-entry.ts';
import { KIND_ENTRIES } from '../../k8s/kinds.ts';

/** A resource the API serves: a registry entry (`plural` is the URL segment, `apiVersion` the group/version). */
export type Resource = KindEntry;

/** Every kind in the registry is served. */
export const RESOURCES: readonly Resource[] = KIND_ENTRIES;

const BY_VERSION_AND_PLURAL = new Map(RESOURCES.map((r) => [`${r.apiVersion}\0${r.plural}`, r]));

export interface ApiTarget {
  readonly resource: Resource;
  /** undefined: every namespace (lists) or a cluster-scoped kind. */
  readonly namespace: string | undefined;
  /** undefined: the collection. */
  readonly name: string | undefined;
}

export function parseApiPath(path: string): ApiTarget | null {
  const parts = path.split('/').filter((p) => p !== '');
  let apiVersion: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') {
    apiVersion = 'v1';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    apiVersion = `${parts[1]}/${parts[2]}`;
    rest = parts.slice(3);
  } else return null;
  const decoded = rest.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '\0';
    }
  });
  if (decoded.some((p) => p.includes('\0') || p.includes('/'))) return null;

  let namespace: string | undefined;
  // `/namespaces/{ns}/{resource}...` — but `/namespaces` and `/namespaces/{name}` are the Namespace kind itself.
  if (decoded[0] === 'namespaces' && decoded.length >= 3) {
    namespace = decoded[1];
    decoded.splice(0, 2);
  }
  const [plural, name, extra] = decoded;
  if (plural === undefined || extra !== undefined) return null;
  const resource = BY_VERSION_AND_PLURAL.get(`${apiVersion}\0${plural}`);
  if (resource === undefined) return null;
  if (namespace !== undefined && !resource.namespaced) return null;
  return { resource, namespace, name };
}
