/**
 * A snapshot joined with the runtime objects it needs: for each backend, its balancer (kept across reloads by
 * backend key) and the pools of its ready endpoints (kept across reloads by origin). Binding happens once per
 * snapshot, so a request does two map lookups at most and builds no strings.
 */
import type { Pool } from 'undici';
import type { ResolvedEndpoint } from '../controllers/resolved-endpoint.ts';
import type { Backend, Snapshot } from '../snapshot/snapshot.ts';
import type { Balancer } from './balancers/balancer.ts';
import { ClientIpAffinity } from './balancers/client-ip-affinity.ts';
import { BALANCERS, DEFAULT_BALANCER } from './balancers/registry.ts';
import type { UpstreamRegistry } from './upstream-registry.ts';

export interface BoundBackend {
  readonly backend: Backend;
  readonly balancer: Balancer;
  /** Aligned with backend.ready. */
  readonly pools: readonly Pool[];
  /** `address:port` per ready endpoint, for logs. */
  readonly addresses: readonly string[];
}

export interface BoundSnapshot {
  readonly snapshot: Snapshot;
  readonly backends: ReadonlyMap<string, BoundBackend>;
}

export function originOf(endpoint: Pick<ResolvedEndpoint, 'address' | 'port'>): string {
  const host = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
  return `http://${host}:${endpoint.port}`;
}

export function addressOf(endpoint: Pick<ResolvedEndpoint, 'address' | 'port'>): string {
  return endpoint.address.includes(':') ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}

/**
 * @param balancers the runtime's balancers by backend key; new keys get a new balancer, and keys no longer used are
 *   removed, so the map always matches the current snapshot.
 */
export function bindSnapshot(snapshot: Snapshot, upstreams: UpstreamRegistry, balancers: Map<string, Balancer>): BoundSnapshot {
  const backends = new Map<string, BoundBackend>();
  for (const [key, backend] of snapshot.backends) {
    const affinity = backend.affinityTimeoutMs;
    const policyKey = affinity === undefined ? `${key}\0${backend.policy}` : `${key}\0${backend.policy}\0affinity ${affinity}`;
    let balancer = balancers.get(policyKey);
    if (balancer === undefined) {
      const factory = BALANCERS.get(backend.policy) ?? BALANCERS.get(DEFAULT_BALANCER)!;
      balancer = affinity === undefined ? factory() : new ClientIpAffinity(factory(), affinity);
      balancers.set(policyKey, balancer);
    }
    backends.set(key, {
      backend,
      balancer,
      pools: backend.ready.map((e) => upstreams.pool(originOf(e))),
      addresses: backend.ready.map(addressOf),
    });
  }
  for (const policyKey of balancers.keys()) {
    const key = policyKey.slice(0, policyKey.indexOf('\0'));
    if (!backends.has(key)) balancers.delete(policyKey);
  }
  return { snapshot, backends };
}

/** Every origin a bound snapshot routes to; the registry keeps exactly these pools. */
export function originsOf(bound: BoundSnapshot): Set<string> {
  const origins = new Set<string>();
  for (const b of bound.backends.values()) for (const e of b.backend.ready) origins.add(originOf(e));
  return origins;
}
