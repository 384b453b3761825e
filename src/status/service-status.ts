/**
 * Status views of Services and Ingresses, as `get` and the admin API show them: a Service carries its allocated
 * `spec.clusterIP(s)`, `spec.ports[].nodePort` and `status.loadBalancer.ingress[].ip` (none while pending), plus
 * conditions saying why something is pending, rejected or not served; an Ingress edgeway serves carries the address
 * its entrypoint serves in `status.loadBalancer.ingress`. Pure: built from the snapshot, the stored object is
 * copied, never changed.
 */
import { isIP } from 'node:net';
import type { Ingress, KubeObject, Service } from '../k8s/types.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { Condition } from './condition.ts';

/** Condition types, prefixed as Kubernetes asks of conditions that are not its own. */
export const CONDITION_ALLOCATED = 'edgeway.io/AddressesAllocated';
export const CONDITION_LB_ASSIGNED = 'edgeway.io/LoadBalancerIPAssigned';
export const CONDITION_SERVING = 'edgeway.io/Serving';

/** The annotation MetalLB sets on a Service with the name of the pool its address came from. */
export const ALLOCATED_FROM_POOL = 'metallb.io/ip-allocated-from-pool';

export function serviceConditions(key: string, snapshot: Snapshot): readonly Condition[] {
  const at = snapshot.compiledAt.toISOString();
  const allocation = snapshot.addresses.services.get(key);
  if (allocation === undefined) return [];
  const out: Condition[] = [];
  const rejected = allocation.rejected;
  out.push(
    rejected === null
      ? { type: CONDITION_ALLOCATED, status: 'True', reason: 'Allocated', message: 'ClusterIPs and NodePorts are allocated', lastTransitionTime: at }
      : { type: CONDITION_ALLOCATED, status: 'False', reason: rejected.reason, message: rejected.message, lastTransitionTime: at },
  );
  const lb = allocation.loadBalancer;
  if (lb.kind === 'assigned') {
    out.push({ type: CONDITION_LB_ASSIGNED, status: 'True', reason: 'Assigned', message: `${lb.ips.join(', ')} from pool ${lb.pool}`, lastTransitionTime: at });
  } else if (lb.kind === 'pending') {
    // MetalLB's AllocationFailed wording first, as its users search for it, then edgeway's sentence on what to do.
    const message = lb.metallb === undefined ? lb.message : `Failed to allocate IP for "${key}": ${lb.metallb}; ${lb.message}`;
    out.push({ type: CONDITION_LB_ASSIGNED, status: 'False', reason: lb.reason, message, lastTransitionTime: at });
  }
  if (rejected === null) {
    const problems = [
      ...(snapshot.addresses.problems.get(key) ?? []),
      ...(snapshot.listenerFailures.get(key) ?? []).map((f) => ({ reason: 'EW_LISTENER_BIND_FAILED', message: f.message })),
    ];
    out.push(
      problems.length === 0
        ? { type: CONDITION_SERVING, status: 'True', reason: 'Serving', message: 'every allocated address is served', lastTransitionTime: at }
        : {
            type: CONDITION_SERVING,
            status: 'False',
            reason: [...new Set(problems.map((p) => p.reason))].join(','),
            message: problems.map((p) => p.message).join('; '),
            lastTransitionTime: at,
          },
    );
  }
  return out;
}

export function serviceWithStatus(object: KubeObject, snapshot: Snapshot): KubeObject {
  const service = object as Service;
  const key = `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
  const allocation = snapshot.addresses.services.get(key);
  if (allocation === undefined) return object;
  const spec: Service['spec'] = { ...service.spec };
  if (allocation.headless) {
    spec.clusterIP = 'None';
    spec.clusterIPs = ['None'];
  } else if (allocation.clusterIPs.length > 0) {
    spec.clusterIP = allocation.clusterIPs[0]!;
    spec.clusterIPs = [...allocation.clusterIPs];
  }
  if (spec.ports !== undefined) {
    spec.ports = spec.ports.map((p, index) => {
      const assigned = allocation.nodePorts.find((n) => n.index === index);
      return assigned === undefined ? p : { ...p, nodePort: assigned.nodePort };
    });
  }
  const lb = allocation.loadBalancer;
  const ingress = lb.kind === 'assigned' ? lb.ips.map((ip) => ({ ip, ipMode: 'VIP' })) : [];
  // MetalLB records the pool of an allocated address on the Service; tools written for MetalLB read it there.
  const metadata =
    lb.kind === 'assigned' && service.spec.type === 'LoadBalancer'
      ? { ...service.metadata, annotations: { ...(service.metadata.annotations ?? {}), [ALLOCATED_FROM_POOL]: lb.pool } }
      : service.metadata;
  const status = {
    ...(service.status ?? {}),
    loadBalancer:
      service.spec.type === 'LoadBalancer' && lb.kind !== 'not-ours' ? { ...(ingress.length > 0 ? { ingress } : {}) } : (service.status?.loadBalancer ?? {}),
    conditions: serviceConditions(key, snapshot),
  };
  return { ...service, metadata, spec, status };
}

/** The addresses an Ingress is reachable at: the entrypoint Services' LoadBalancer IPs, else the HTTP entrypoint's. */
export function ingressAddresses(snapshot: Snapshot): readonly string[] {
  if (snapshot.addresses.entrypointIPs.length > 0) return snapshot.addresses.entrypointIPs;
  const http = snapshot.settings.http;
  return http !== null && isIP(http.host) !== 0 && http.host !== '0.0.0.0' && http.host !== '::' ? [http.host] : [];
}

export function ingressWithStatus(object: KubeObject, snapshot: Snapshot): KubeObject {
  const ingress = object as Ingress;
  const key = `${ingress.metadata.namespace ?? 'default'}/${ingress.metadata.name}`;
  if (!snapshot.ingresses.includes(key)) return object;
  const ips = ingressAddresses(snapshot);
  return { ...ingress, status: { ...(ingress.status ?? {}), loadBalancer: ips.length === 0 ? {} : { ingress: ips.map((ip) => ({ ip })) } } };
}
