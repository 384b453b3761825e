/**
 * What every allocator call returns. Failure is a value, not an exception: a Service that cannot get an address
 * stays pending (LoadBalancer IPs) or is rejected (NodePorts, ClusterIPs) with a stable code and a sentence a person
 * can act on, and everything else carries on.
 */
import type { Code } from '../errors.ts';

/** The codes of the allocation section of src/errors.ts that an allocator call can fail with. */
export type AllocationCode = Extract<
  Code,
  | 'EW_LB_REQUEST_INVALID'
  | 'EW_LB_POOL_UNKNOWN'
  | 'EW_LB_POOL_NOT_ALLOWED'
  | 'EW_LB_NO_POOL'
  | 'EW_LB_POOL_EXHAUSTED'
  | 'EW_LB_IP_NOT_IN_POOL'
  | 'EW_LB_IP_TAKEN'
  | 'EW_LB_SHARING_REFUSED'
  | 'EW_NODEPORT_TAKEN'
  | 'EW_NODEPORT_OUT_OF_RANGE'
  | 'EW_NODEPORT_EXHAUSTED'
  | 'EW_CLUSTERIP_TAKEN'
  | 'EW_CLUSTERIP_OUT_OF_RANGE'
  | 'EW_CLUSTERIP_EXHAUSTED'
>;

export interface AllocationFailure {
  readonly ok: false;
  readonly reason: AllocationCode;
  readonly message: string;
  /**
   * The error MetalLB's controller gives for the same refusal (`no available IPs`, `unknown pool "x"`), which its
   * users know from its AllocationFailed events; status shows it before edgeway's own sentence.
   */
  readonly metallb?: string;
}

export type AllocationResult<T> = ({ readonly ok: true } & T) | AllocationFailure;

export function failure(reason: AllocationCode, message: string, metallb?: string): AllocationFailure {
  return metallb === undefined ? { ok: false, reason, message } : { ok: false, reason, message, metallb };
}

/** `namespace/name`, the key every allocator and the state file use for a Service. */
export function serviceKey(metadata: { readonly name: string; readonly namespace?: string }): string {
  return `${metadata.namespace ?? 'default'}/${metadata.name}`;
}
