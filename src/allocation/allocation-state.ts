/**
 * The allocations edgeway has made, as recorded between runs: per Service (`namespace/name`), its ClusterIPs,
 * NodePorts and LoadBalancer IPs. It is what makes addresses stable across reloads and restarts: the controller
 * honours these records before handing anything new out. Plain JSON data, versioned, so state-file.ts can persist it
 * and a shared store could later hold it instead.
 */
import type { Protocol } from '../k8s/types.ts';

export interface NodePortRecord {
  readonly port: number;
  readonly protocol: Protocol;
  readonly nodePort: number;
}

export interface ServiceRecord {
  /** Empty for headless and ExternalName Services. */
  readonly clusterIPs: readonly string[];
  readonly nodePorts: readonly NodePortRecord[];
  readonly loadBalancer: { readonly pool: string; readonly ips: readonly string[] } | null;
}

export interface AllocationState {
  readonly version: 1;
  /** Keyed by `namespace/name`, in key order so the file is stable. */
  readonly services: Readonly<Record<string, ServiceRecord>>;
}

export const EMPTY_ALLOCATION_STATE: AllocationState = Object.freeze({ version: 1, services: Object.freeze({}) });
