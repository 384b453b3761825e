/**
 * The Kubernetes REST paths the admin API serves, parsed into (resource, namespace, name). Pure: the path in, the
 * request target out, or null for a path the API does not know (404).
 *
 *   /api/v1/{resource}                              every namespace (or a cluster-scoped kind)
 *   /api/v1/{resource}/{name}                       a cluster-scoped object
 *   /api/v1/namespaces/{ns}/{resource}[/{name}]     namespaced
 *   /apis/{group}/{version}/...                     the same shapes for networking.k8s.io and discovery.k8s.io
 */

export interface Resource {
  /** The URL segment: `services`. */
  readonly plural: string;
  readonly kind: string;
  /** `v1`, `networking.k8s.io/v1`. */
  readonly apiVersion: string;
  readonly namespaced: boolean;
}

export const RESOURCES: readonly Resource[] = [
  { plural: 'services', kind: 'Service', apiVersion: 'v1', namespaced: true },
  { plural: 'endpoints', kind: 'Endpoints', apiVersion: 'v1', namespaced: true },
  { plural: 'pods', kind: 'Pod', apiVersion: 'v1', namespaced: true },
  { plural: 'secrets', kind: 'Secret', apiVersion: 'v1', namespaced: true },
  { plural: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1', namespaced: true },
  { plural: 'nodes', kind: 'Node', apiVersion: 'v1', namespaced: false },
  { plural: 'namespaces', kind: 'Namespace', apiVersion: 'v1', namespaced: false },
  { plural: 'ingresses', kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', namespaced: true },
  { plural: 'ingressclasses', kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', namespaced: false },
  { plural: 'endpointslices', kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', namespaced: true },
];

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
