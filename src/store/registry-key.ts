/**
 * Where an object lives in etcd when replicas share the objects written through the API: one key per object, laid
 * out as the Kubernetes API server lays out its registry — `<prefix>/registry/<resource>/<namespace>/<name>` for the
 * built-in groups, `<prefix>/registry/<group>/<resource>/...` for the others (metallb.io), cluster-scoped objects
 * without the namespace segment. Someone with etcdctl finds an object where they would look for it in a cluster.
 * The key says where; the value (the object as JSON) says what, so nothing is decoded from the key.
 */
import type { KindEntry } from '../k8s/kind-entry.ts';

/** The prefix without a trailing slash: `/edgeway/` and `/edgeway` name the same tree. */
export function trimPrefix(prefix: string): string {
  return prefix.replace(/\/+$/, '');
}

/** Where every object key starts: a watch or a range over it sees every object and nothing else. */
export function registryRoot(prefix: string): string {
  return `${trimPrefix(prefix)}/registry/`;
}

/** The key of one object. */
export function registryKey(prefix: string, entry: KindEntry, namespace: string | undefined, name: string): string {
  const builtIn = entry.group === '' || entry.group.endsWith('.k8s.io') || !entry.group.includes('.');
  const resource = builtIn ? entry.plural : `${entry.group}/${entry.plural}`;
  return entry.namespaced ? `${registryRoot(prefix)}${resource}/${namespace ?? 'default'}/${name}` : `${registryRoot(prefix)}${resource}/${name}`;
}

/** Where each replica announces itself (sync points and the fingerprints of its files: replica-files.ts). */
export function replicasRoot(prefix: string): string {
  return `${trimPrefix(prefix)}/replicas/`;
}
