/**
 * The address part of the admin's `/config/status`: per Service its allocation (ClusterIPs, NodePorts, LoadBalancer
 * IPs or pending with the reason) and conditions; the listeners; and pool usage. `addressPoolUsage` is also the data
 * the metrics endpoint turns into per-pool gauges.
 */
import { poolUsage } from '../allocation/pool-usage.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { serviceConditions } from './service-status.ts';

export interface PoolUsageGauge {
  readonly pool: string;
  /** Addresses handed out (an IP shared by several Services counts once). */
  readonly used: number;
  /** Addresses still free; a float for IPv6 pools beyond 2^53 addresses, which is close enough for a gauge. */
  readonly free: number;
  readonly size: number;
}

/** Used and free addresses per LoadBalancer pool of the snapshot, in pool order. */
export function addressPoolUsage(snapshot: Snapshot): readonly PoolUsageGauge[] {
  return poolUsage(snapshot.addresses.pools, snapshot.addresses.state).map((u) => ({ pool: u.pool, used: u.used, free: Number(u.free), size: Number(u.size) }));
}

export function addressStatus(snapshot: Snapshot): unknown {
  const a = snapshot.addresses;
  const services = [...a.services.values()].map((s) => ({
    service: s.service,
    clusterIPs: s.headless ? ['None'] : s.clusterIPs,
    nodePorts: s.nodePorts.map((n) => ({ port: n.port, protocol: n.protocol, nodePort: n.nodePort })),
    loadBalancer:
      s.loadBalancer.kind === 'assigned'
        ? { ips: s.loadBalancer.ips, pool: s.loadBalancer.pool }
        : s.loadBalancer.kind === 'pending'
          ? { pending: true, reason: s.loadBalancer.reason, message: s.loadBalancer.message }
          : s.loadBalancer.kind === 'not-ours'
            ? { notOurs: s.loadBalancer.loadBalancerClass }
            : null,
    ...(s.rejected === null ? {} : { rejected: s.rejected }),
    conditions: serviceConditions(s.service, snapshot).filter((c) => c.status === 'False'),
  }));
  return {
    pools: addressPoolUsage(snapshot),
    services,
    listeners: a.listeners.map((l) => ({ listener: l.key, kind: l.kind, service: l.service, port: l.servicePort, source: l.source })),
    listenerFailures: [...snapshot.listenerFailures.values()].flat(),
  };
}
