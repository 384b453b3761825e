/**
 * The address part of a Snapshot: what the allocation controller decided for every Service, and the listeners that
 * serve those addresses. The listener reconciler binds exactly `listeners`; status and the admin API read the rest.
 */
import type { AddressPool } from '../allocation/address-pool.ts';
import type { ServiceAllocation } from '../allocation/allocate-services.ts';
import type { AllocationState } from '../allocation/allocation-state.ts';
import type { NodeTarget } from '../controllers/node-targets.ts';

/**
 * `tcp`: byte pass-through to one endpoint per connection. `http`: the HTTP proxy with a fixed backend (appProtocol
 * http or kubernetes.io/h2c). `ingress`: the Ingress router (ports of an entrypoint Service); `ingress-https`: the
 * same over TLS with the HTTPS entrypoint's certificates (an entrypoint Service's 443 or `https` port).
 */
export type ListenerKind = 'tcp' | 'http' | 'ingress' | 'ingress-https';

export interface ListenerSpec {
  /** `address:port/TCP` (`[v6]:port/TCP`): the identity the reconciler keeps listeners by. */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly kind: ListenerKind;
  /** `namespace/name` of the Service. */
  readonly service: string;
  /** spec.ports[].port it serves, for messages. */
  readonly servicePort: number;
  /** Which allocated address this is. */
  readonly source: 'clusterIP' | 'loadBalancer' | 'nodePort';
  /** The snapshot backend to forward to; null for `ingress`. */
  readonly backendKey: string | null;
  /** `http` listeners of `kubernetes.io/h2c` ports also take HTTP/2 with prior knowledge. */
  readonly h2c?: true;
}

/** Something about a Service's addresses that users should see as a condition (besides allocation results). */
export interface ServiceProblem {
  readonly reason: string;
  readonly message: string;
}

/** A listener the data plane could not bind. */
export interface ListenerFailure {
  readonly key: string;
  /** EADDRNOTAVAIL, EADDRINUSE, EACCES, ... */
  readonly errno: string;
  readonly message: string;
}

export interface CompiledAddresses {
  readonly pools: readonly AddressPool[];
  /** The allocation state to persist; equal to what was loaded when nothing changed. */
  readonly state: AllocationState;
  /** By `namespace/name`. */
  readonly services: ReadonlyMap<string, ServiceAllocation>;
  readonly listeners: readonly ListenerSpec[];
  /** Compile-time problems by Service (unsupported protocol, a listener another Service already has). */
  readonly problems: ReadonlyMap<string, readonly ServiceProblem[]>;
  /** The LoadBalancer IPs of entrypoint Services: what Ingress status shows. */
  readonly entrypointIPs: readonly string[];
  readonly nodes: readonly NodeTarget[];
}

export function listenerKey(address: string, port: number, protocol = 'TCP'): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}/${protocol}`;
}

/** The key of the snapshot backend behind a Service port's own listeners (apart from Ingress backends). */
export function listenerBackendKey(service: string, port: number): string {
  return `listener:${service}:${port}`;
}
