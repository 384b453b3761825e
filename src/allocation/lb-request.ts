/**
 * What a LoadBalancer Service asks of the IP allocator, read from its spec and MetalLB's annotations: whether it is
 * edgeway's to serve at all (spec.loadBalancerClass), which pool, which specific IPs, which sharing key, which IP
 * families. Annotations are read under `metallb.io/` first and the older `metallb.universe.tf/` prefix second, so
 * manifests written for either MetalLB version work and the current prefix wins when both are set.
 */
import type { Service } from '../k8s/types.ts';
import type { IpAddress, IpFamily } from '../net/ip-range.ts';
import { parseIp } from '../net/ip-range.ts';

/** edgeway's loadBalancerClass when the settings do not name another. */
export const EDGEWAY_LB_CLASS = 'edgeway.io/lb';

export const ANNOTATION_PREFIXES = ['metallb.io/', 'metallb.universe.tf/'] as const;

export type FieldPath = readonly (string | number)[];

export interface AnnotationValue {
  readonly value: string;
  /** Where it was found, for diagnostics: `['metadata', 'annotations', 'metallb.io/address-pool']`. */
  readonly field: FieldPath;
}

export interface LbRequest {
  readonly pool: AnnotationValue | undefined;
  /** Specific IPs asked for (at most one per family), and the field that asked. */
  readonly ips: { readonly addresses: readonly IpAddress[]; readonly field: FieldPath } | undefined;
  /** Families to allocate when no specific IPs are asked for. */
  readonly families: readonly IpFamily[];
}

export type LbRequestResult =
  | { readonly ok: true; readonly request: LbRequest }
  | { readonly ok: false; readonly message: string; readonly field: FieldPath; readonly metallb?: string };

/** A LoadBalancer Service edgeway should give an IP: no loadBalancerClass, or edgeway's. */
export function isOurLoadBalancer(service: Service, loadBalancerClass: string = EDGEWAY_LB_CLASS): boolean {
  if (service.spec.type !== 'LoadBalancer') return false;
  const cls = service.spec.loadBalancerClass;
  return cls === undefined || cls === loadBalancerClass;
}

/** A MetalLB annotation by its short name (`address-pool`), `metallb.io/` winning over `metallb.universe.tf/`. */
export function metallbAnnotation(service: Service, name: string): AnnotationValue | undefined {
  const annotations = service.metadata.annotations ?? {};
  for (const prefix of ANNOTATION_PREFIXES) {
    const value = annotations[prefix + name];
    if (value !== undefined && value.trim() !== '') {
      return { value: value.trim(), field: ['metadata', 'annotations', prefix + name] };
    }
  }
  return undefined;
}

function familiesOf(service: Service, fallback: readonly IpFamily[]): readonly IpFamily[] {
  const declared = (service.spec.ipFamilies ?? []).filter((f): f is IpFamily => f === 'IPv4' || f === 'IPv6');
  return declared.length > 0 ? [...new Set(declared)] : fallback;
}

/**
 * Reads the request. `fallbackFamilies` applies when spec.ipFamilies is absent (the controller passes the family
 * of the Service's ClusterIP, as the API server would have filled ipFamilies in).
 */
export function lbRequestOf(service: Service, fallbackFamilies: readonly IpFamily[] = ['IPv4']): LbRequestResult {
  const pool = metallbAnnotation(service, 'address-pool');
  const annotated = metallbAnnotation(service, 'loadBalancerIPs');
  const legacy = service.spec.loadBalancerIP?.trim();
  const families = familiesOf(service, fallbackFamilies);
  if (annotated !== undefined && legacy !== undefined && legacy !== '') {
    return {
      ok: false,
      field: ['spec', 'loadBalancerIP'],
      message: `set either the ${String(annotated.field[2])} annotation or the deprecated spec.loadBalancerIP, not both`,
      metallb: 'service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
    };
  }
  let ips: LbRequest['ips'];
  if (annotated !== undefined) {
    const addresses: IpAddress[] = [];
    for (const text of annotated.value.split(',')) {
      const ip = parseIp(text);
      if (ip === undefined) {
        return {
          ok: false,
          field: annotated.field,
          message: `"${text.trim()}" is not an IP address (write a comma-separated list, one IP per family)`,
          metallb: `invalid metallb.io/loadBalancerIPs: "${annotated.value}"`,
        };
      }
      if (addresses.some((a) => a.family === ip.family)) {
        return { ok: false, field: annotated.field, message: `more than one ${ip.family} address requested; a Service gets at most one IP per family` };
      }
      addresses.push(ip);
    }
    ips = { addresses, field: annotated.field };
  } else if (legacy !== undefined && legacy !== '') {
    const ip = parseIp(legacy);
    if (ip === undefined)
      return { ok: false, field: ['spec', 'loadBalancerIP'], message: `"${legacy}" is not an IP address`, metallb: `invalid spec.loadBalancerIP "${legacy}"` };
    ips = { addresses: [ip], field: ['spec', 'loadBalancerIP'] };
  }
  return { ok: true, request: { pool, ips, families } };
}
