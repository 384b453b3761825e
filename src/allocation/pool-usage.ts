/**
 * Used and free addresses per LoadBalancer pool, for the metrics endpoint (gauges per pool) and for `describe`.
 * Computed from the pools and the allocation state, so it needs no access to a live allocator. An IP shared by
 * several Services counts once.
 */
import type { AddressPool } from './address-pool.ts';
import type { AllocationState } from './allocation-state.ts';
import { buggyCount, rangeSize } from '../net/ip-range.ts';

export interface PoolUsage {
  readonly pool: string;
  /** Addresses the pool may hand out (buggy ones excluded when it avoids them). */
  readonly size: bigint;
  readonly used: number;
  readonly free: bigint;
}

export function poolSize(pool: AddressPool): bigint {
  let size = 0n;
  for (const range of pool.ranges) size += rangeSize(range) - (pool.avoidBuggyIPs ? buggyCount(range) : 0n);
  return size;
}

/**
 * One entry per pool, in pool order. Records naming a pool that no longer exists are ignored. Convert with
 * Number() for a gauge: IPv6 pools can exceed 2^53 addresses, where a float is close enough for a metric.
 */
export function poolUsage(pools: readonly AddressPool[], state: AllocationState): readonly PoolUsage[] {
  const used = new Map<string, Set<string>>(pools.map((p) => [p.name, new Set()]));
  for (const record of Object.values(state.services)) {
    if (record.loadBalancer === null) continue;
    const set = used.get(record.loadBalancer.pool);
    if (set !== undefined) for (const ip of record.loadBalancer.ips) set.add(ip);
  }
  return pools.map((pool) => {
    const size = poolSize(pool);
    const count = used.get(pool.name)?.size ?? 0;
    return { pool: pool.name, size, used: count, free: size - BigInt(count) };
  });
}
