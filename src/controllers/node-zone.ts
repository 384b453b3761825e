/**
 * The topology zone of a Node, from its well-known label. Endpoints inherit it from the Node they run on, which is
 * what topology-aware routing needs when a Pod or an Endpoints address names its node but carries no zone itself.
 */
import type { Node } from '../k8s/types.ts';
import type { StoreReader } from '../store/object-store.ts';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** undefined when there is no node name, no such Node in the store, or no zone label on it. */
export function nodeZone(store: StoreReader, nodeName: string | undefined): string | undefined {
  if (nodeName === undefined) return undefined;
  // Nodes are cluster-scoped: stored without a namespace.
  return store.get<Node>('Node', undefined, nodeName)?.object.metadata.labels?.[ZONE_LABEL];
}

export const REGION_LABEL = 'topology.kubernetes.io/region';

/** The Node's region label, for locality routing; undefined as for nodeZone. */
export function nodeRegion(store: StoreReader, nodeName: string | undefined): string | undefined {
  if (nodeName === undefined) return undefined;
  return store.get<Node>('Node', undefined, nodeName)?.object.metadata.labels?.[REGION_LABEL];
}
