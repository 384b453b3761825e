/**
 * Placeholder discovery (replaced by the api-edge work's discovery): the legacy, non-aggregated documents kubectl
 * falls back to — `/api` (APIVersions), `/apis` (APIGroupList), `/api/v1` and `/apis/{group}/{version}`
 * (APIResourceList) — derived from the registry of kinds. Enough for kubectl to find the resources it reads.
 */
import { KIND_ENTRIES } from '../../k8s/kinds.ts';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The discovery document at `path`, or null when `path` is not a discovery path. */
export function discoveryDocument(path: string): Record<string, unknown> | null {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 1 && parts[0] === 'api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }] };
  }
  if (parts.length === 1 && parts[0] === 'apis') {
    const groups = new Map<string, string>();
    for (const e of KIND_ENTRIES) if (e.group !== '') groups.set(e.group, e.version);
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, version]) => {
        const v = { groupVersion: `${name}/${version}`, version };
        return { name, versions: [v], preferredVersion: v };
      }),
    };
  }
  const groupVersion = parts[0] === 'api' && parts.length === 2 ? parts[1]! : parts[0] === 'apis' && parts.length === 3 ? `${parts[1]}/${parts[2]}` : null;
  if (groupVersion === null) return null;
  const entries = KIND_ENTRIES.filter((e) => e.apiVersion === groupVersion);
  if (entries.length === 0) return null;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: entries.map((e) => ({
      name: e.plural,
      singularName: e.singular,
      namespaced: e.namespaced,
      kind: e.kind,
      verbs: VERBS,
      ...(e.shortNames.length === 0 ? {} : { shortNames: e.shortNames }),
      ...(e.categories.length === 0 ? {} : { categories: e.categories }),
    })),
  };
}
