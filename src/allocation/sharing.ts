/**
 * MetalLB's IP sharing rule: two Services may use one LoadBalancer IP only when both carry the same
 * `allow-shared-ip` key, their ports do not overlap (per protocol), and either both use
 * `externalTrafficPolicy: Cluster` or both select exactly the same pods. The check names the rule that failed, so
 * the pending Service's condition tells the user what to change.
 */
import type { Service } from '../k8s/types.ts';
import type { AllocationCode } from './allocation-result.ts';
import { serviceKey } from './allocation-result.ts';
import { metallbAnnotation } from './lb-request.ts';

export interface SharingInfo {
  /** `namespace/name`. */
  readonly service: string;
  /** The allow-shared-ip key, if any. */
  readonly key: string | undefined;
  /** `80/TCP` for each port. */
  readonly ports: readonly string[];
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** Canonical `k=v,k=v` of the selector, sorted by key. */
  readonly selector: string;
}

export function sharingInfoOf(service: Service): SharingInfo {
  const selector = Object.entries(service.spec.selector ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return {
    service: serviceKey(service.metadata),
    key: metallbAnnotation(service, 'allow-shared-ip')?.value,
    ports: (service.spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`),
    externalTrafficPolicy: service.spec.externalTrafficPolicy ?? 'Cluster',
    selector,
  };
}

export interface SharingRefusal {
  readonly reason: AllocationCode;
  readonly message: string;
  /** MetalLB's wording of the same refusal (allocation-result.ts). */
  readonly metallb: string;
}

/** Why `candidate` may not join `existing` on `ip`, or undefined when it may. */
export function sharingRefusal(candidate: SharingInfo, existing: SharingInfo, ip: string): SharingRefusal | undefined {
  const other = `Service ${existing.service}`;
  if (candidate.key === undefined || existing.key === undefined) {
    const missing = candidate.key === undefined ? 'this Service' : other;
    return {
      reason: 'EW_LB_IP_TAKEN',
      message: `${ip} is already used by ${other}; Services share an IP only when both carry the metallb.io/allow-shared-ip annotation with the same key, and ${missing} has none`,
      metallb: keyInUse(candidate, existing),
    };
  }
  if (candidate.key !== existing.key) {
    return {
      reason: 'EW_LB_SHARING_REFUSED',
      message: `${ip} is used by ${other} with allow-shared-ip key "${existing.key}", but this Service has "${candidate.key}"; the keys must be equal to share`,
      metallb: keyInUse(candidate, existing),
    };
  }
  const taken = new Set(existing.ports);
  const overlap = candidate.ports.find((p) => taken.has(p));
  if (overlap !== undefined) {
    return {
      reason: 'EW_LB_SHARING_REFUSED',
      message: `port ${overlap} is already used on ${ip} by ${other}; Services sharing an IP must use different ports per protocol`,
      metallb: `port ${overlap.split('/').reverse().join('/')} is already in use on "${ip}"`,
    };
  }
  const bothCluster = candidate.externalTrafficPolicy === 'Cluster' && existing.externalTrafficPolicy === 'Cluster';
  if (!bothCluster && candidate.selector !== existing.selector) {
    return {
      reason: 'EW_LB_SHARING_REFUSED',
      message: `${ip} is used by ${other}; Services sharing an IP must both use externalTrafficPolicy: Cluster or have identical selectors (this one uses ${candidate.externalTrafficPolicy}, the other ${existing.externalTrafficPolicy}, and their selectors differ)`,
      metallb: keyInUse(candidate, existing),
    };
  }
  return undefined;
}

/** MetalLB refuses every key or backend mismatch on a used address with this one sentence. */
function keyInUse(candidate: SharingInfo, existing: SharingInfo): string {
  return `can't change sharing key for "${candidate.service}", address also in use by ${existing.service}`;
}
