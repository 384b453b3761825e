/**
 * What addresses a Service needs, read once from its spec: ClusterIPs (explicit or by family), NodePorts per port
 * (explicit or automatic), and whether it is a LoadBalancer edgeway serves. The controller works from this, so the
 * rules about types (ExternalName gets nothing, headless gets no VIP, `allocateLoadBalancerNodePorts: false`) live in
 * one place.
 */
import type { Protocol, Service } from '../k8s/types.ts';
import { serviceKey } from './allocation-result.ts';
import type { IpFamily } from '../net/ip-range.ts';
import { canonicalIp, parseIp } from '../net/ip-range.ts';
import type { FieldPath } from './lb-request.ts';
import { isOurLoadBalancer } from './lb-request.ts';

export interface PortDemand {
  readonly index: number;
  readonly name: string | undefined;
  readonly port: number;
  readonly protocol: Protocol;
  /** spec.ports[].nodePort when set. */
  readonly explicit: number | undefined;
}

export type LoadBalancerDemand = { readonly kind: 'none' } | { readonly kind: 'ours' } | { readonly kind: 'not-ours'; readonly loadBalancerClass: string };

export interface ServiceDemand {
  readonly key: string;
  readonly headless: boolean;
  /** Canonical explicit ClusterIPs (spec.clusterIPs, else spec.clusterIP), or empty to allocate by family. */
  readonly explicitClusterIPs: readonly string[];
  /** Families to allocate ClusterIPs for; empty when the Service gets no VIP. */
  readonly clusterIPFamilies: readonly IpFamily[];
  readonly nodePorts: readonly PortDemand[];
  readonly loadBalancer: LoadBalancerDemand;
  /** Families for LoadBalancer IPs when the Service does not ask for specific ones. */
  readonly families: readonly IpFamily[];
  /** A spec the API server would refuse; the Service gets nothing. */
  readonly invalid: { readonly message: string; readonly field: FieldPath } | undefined;
}

function declaredFamilies(service: Service): IpFamily[] {
  return [...new Set((service.spec.ipFamilies ?? []).filter((f): f is IpFamily => f === 'IPv4' || f === 'IPv6'))];
}

/** `primaryFamily` is the family of the first service CIDR, used when the Service names none. */
export function serviceDemand(service: Service, loadBalancerClass: string, primaryFamily: IpFamily): ServiceDemand {
  const spec = service.spec;
  const type = spec.type ?? 'ClusterIP';
  const key = serviceKey(service.metadata);
  const nothing: ServiceDemand = {
    key,
    headless: false,
    explicitClusterIPs: [],
    clusterIPFamilies: [],
    nodePorts: [],
    loadBalancer: { kind: 'none' },
    families: [],
    invalid: undefined,
  };
  if (type === 'ExternalName') return nothing;

  const written = spec.clusterIPs !== undefined && spec.clusterIPs.length > 0 ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const writtenField: FieldPath = spec.clusterIPs !== undefined && spec.clusterIPs.length > 0 ? ['spec', 'clusterIPs'] : ['spec', 'clusterIP'];
  const headless = written[0] === 'None';
  if (headless && type !== 'ClusterIP') {
    return { ...nothing, invalid: { field: writtenField, message: `may not be "None" for ${type} Services; remove it or make the Service type ClusterIP` } };
  }
  const explicit: string[] = [];
  if (!headless) {
    for (const text of written) {
      const ip = canonicalIp(text);
      if (ip === undefined) return { ...nothing, invalid: { field: writtenField, message: `"${text}" is not an IP address` } };
      explicit.push(ip);
    }
  }
  const explicitFamilies = explicit.map((ip) => parseIp(ip)?.family ?? 'IPv4');
  const declared = declaredFamilies(service);
  const families: IpFamily[] = explicitFamilies.length > 0 ? explicitFamilies : declared.length > 0 ? declared : [primaryFamily];

  const ours = type === 'LoadBalancer' && isOurLoadBalancer(service, loadBalancerClass);
  const wantsAllNodePorts = type === 'NodePort' || (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
  const nodePorts: PortDemand[] = [];
  if (type === 'NodePort' || type === 'LoadBalancer') {
    (spec.ports ?? []).forEach((p, index) => {
      // With allocateLoadBalancerNodePorts: false, ports given explicitly are still honoured (as the API server does).
      if (!wantsAllNodePorts && p.nodePort === undefined) return;
      nodePorts.push({ index, name: p.name, port: p.port, protocol: p.protocol ?? 'TCP', explicit: p.nodePort });
    });
  }
  let loadBalancer: LoadBalancerDemand = { kind: 'none' };
  if (type === 'LoadBalancer') {
    loadBalancer = ours ? { kind: 'ours' } : { kind: 'not-ours', loadBalancerClass: spec.loadBalancerClass ?? '' };
  }
  return {
    key,
    headless,
    explicitClusterIPs: explicit,
    clusterIPFamilies: headless ? [] : families,
    nodePorts,
    loadBalancer,
    families,
    invalid: undefined,
  };
}
