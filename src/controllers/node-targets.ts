/**
 * NodePort fan-out: instead of a Service's endpoints, an Ingress backend can send to the Service's NodePort on every
 * node, as a cloud load balancer in front of a cluster does. The nodes are the Node objects (InternalIP, else
 * ExternalIP, of those on this machine: where the NodePorts are served), or, when there are none, the node addresses
 * of the settings (each one a node named by its address).
 * With `externalTrafficPolicy: Local`, only nodes that run a ready endpoint of the Service (by nodeName) are used,
 * since a Local NodePort drops traffic on nodes without one. Pure.
 */
import type { Node, Service } from '../k8s/types.ts';
import type { ResolvedEndpoint } from './resolved-endpoint.ts';
import type { UpstreamMode } from '../config/settings.ts';

export interface NodeTarget {
  readonly name: string;
  readonly address: string;
}

/** Set on a Service to choose how Ingress backends reach it: `endpoints` or `nodeport`. */
export const UPSTREAM_MODE_ANNOTATION = 'edgeway.io/upstream-mode';

/** The Service's upstream mode: its annotation (case-insensitive) wins; an unknown value is reported by the caller. */
export function upstreamModeOf(service: Service, fallback: UpstreamMode): UpstreamMode | { readonly invalid: string } {
  const written = service.metadata.annotations?.[UPSTREAM_MODE_ANNOTATION];
  if (written === undefined) return fallback;
  const value = written.toLowerCase();
  if (value === 'nodeport') return 'nodePort';
  if (value === 'endpoints') return 'endpoints';
  return { invalid: written };
}

/**
 * Nodes in name order: Node objects with an InternalIP or ExternalIP (the first InternalIP, else the first
 * ExternalIP, that `isLocal` accepts: only those are served, see node-port-addresses.ts), or, when there are no Node
 * objects, the settings' node addresses.
 */
export function nodeTargets(
  nodes: readonly Node[],
  nodeAddresses: readonly string[],
  isLocal: (address: string) => boolean = () => true,
): readonly NodeTarget[] {
  const out: NodeTarget[] = [];
  for (const node of nodes) {
    const addresses = node.status?.addresses ?? [];
    const address =
      addresses.find((a) => a.type === 'InternalIP' && isLocal(a.address))?.address ??
      addresses.find((a) => a.type === 'ExternalIP' && isLocal(a.address))?.address;
    if (address !== undefined) out.push({ name: node.metadata.name, address });
  }
  if (nodes.length === 0) for (const address of nodeAddresses) out.push({ name: address, address });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The upstream set of a backend in NodePort mode: one entry per eligible node, at the NodePort.
 * @param endpoints the Service port's endpoints, for the Local policy's node filter.
 */
export function nodePortUpstreams(
  service: Service,
  nodePort: number,
  nodes: readonly NodeTarget[],
  endpoints: readonly ResolvedEndpoint[],
): readonly ResolvedEndpoint[] {
  let eligible = nodes;
  if (service.spec.externalTrafficPolicy === 'Local') {
    const running = new Set<string>();
    for (const e of endpoints) if (e.ready && e.nodeName !== undefined) running.add(e.nodeName);
    eligible = nodes.filter((n) => running.has(n.name));
  }
  return eligible.map((n) => ({ address: n.address, port: nodePort, ready: true, serving: true, terminating: false, nodeName: n.name }));
}
