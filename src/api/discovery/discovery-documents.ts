/**
 * The discovery documents kubectl reads before anything else, built once from the kind registry: `/api`
 * (APIVersions), `/apis` (APIGroupList), `/apis/{group}` (APIGroup), `/api/v1` and `/apis/{group}/{version}`
 * (APIResourceList), and the aggregated form (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) that kubectl asks for
 * first and that saves it one request per group version. Pure: the registry in, JSON-ready values out.
 */
import type { KindEntry } from '../../k8s/kind-entry.ts';
import { KIND_ENTRIES } from '../../k8s/kinds.ts';

/** Every verb the object API answers for every kind. */
export const VERBS: readonly string[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface GroupVersion {
  readonly group: string;
  readonly version: string;
  readonly kinds: readonly KindEntry[];
}

/** The served group versions in registry order, the core group (`''`) first. */
export function groupVersions(entries: readonly KindEntry[] = KIND_ENTRIES): readonly GroupVersion[] {
  const byKey = new Map<string, { group: string; version: string; kinds: KindEntry[] }>();
  for (const e of entries) {
    const key = `${e.group}/${e.version}`;
    const found = byKey.get(key) ?? { group: e.group, version: e.version, kinds: [] };
    found.kinds.push(e);
    byKey.set(key, found);
  }
  return [...byKey.values()].sort((a, b) => (a.group === '' ? -1 : b.group === '' ? 1 : 0));
}

/** `/api`: the core group's versions. `serverAddress` is what the client used to reach us. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** `/apis/{group}`'s APIGroup (also an item of `/apis`). */
export function apiGroup(group: string, versions: readonly string[]): Record<string, unknown> {
  const list = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: list, preferredVersion: list[0] };
}

/** `/apis`: every named group (the core group is served under `/api`). */
export function apiGroupList(gvs: readonly GroupVersion[]): Record<string, unknown> {
  const groups: Record<string, unknown>[] = [];
  for (const [group, versions] of versionsByGroup(gvs)) {
    const g = apiGroup(group, versions);
    delete g['kind'];
    delete g['apiVersion'];
    groups.push(g);
  }
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** The named groups and their versions, in order. */
export function versionsByGroup(gvs: readonly GroupVersion[]): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, string[]>();
  for (const gv of gvs) if (gv.group !== '') out.set(gv.group, [...(out.get(gv.group) ?? []), gv.version]);
  return out;
}

/** `/api/v1` or `/apis/{group}/{version}`. */
export function apiResourceList(gv: GroupVersion): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv.group === '' ? gv.version : `${gv.group}/${gv.version}`,
    resources: gv.kinds.map((e) => ({
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

/**
 * The aggregated discovery document: `core` true for `/api` (one item, the core group, whose metadata has no
 * name), false for `/apis` (every named group).
 */
export function groupDiscoveryList(gvs: readonly GroupVersion[], core: boolean): Record<string, unknown> {
  const items: Record<string, unknown>[] = [];
  if (core) {
    const v1 = gvs.filter((gv) => gv.group === '');
    items.push({ metadata: {}, versions: v1.map(versionDiscovery) });
  } else {
    for (const group of versionsByGroup(gvs).keys()) {
      items.push({ metadata: { name: group }, versions: gvs.filter((gv) => gv.group === group).map(versionDiscovery) });
    }
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

function versionDiscovery(gv: GroupVersion): Record<string, unknown> {
  return {
    version: gv.version,
    resources: gv.kinds.map((e) => ({
      resource: e.plural,
      responseKind: { group: e.group, version: e.version, kind: e.kind },
      scope: e.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: e.singular,
      verbs: VERBS,
      ...(e.shortNames.length === 0 ? {} : { shortNames: e.shortNames }),
      ...(e.categories.length === 0 ? {} : { categories: e.categories }),
    })),
    freshness: 'Current',
  };
}
