/**
 * Upstream pool statistics per Service for the `/metrics` pool gauges: the UpstreamRegistry reports pools by origin,
 * and the bound snapshot says which origins each Service's ready endpoints reach. Pure, read at scrape time.
 */
import { originOf, type BoundSnapshot } from '../dataplane/bound-snapshot.ts';
import { poolKey } from '../dataplane/upstream/upstream-registry.ts';

export interface PoolStats {
  readonly origin: string;
  readonly connected: number;
  readonly free: number;
  readonly pending: number;
  readonly running: number;
}

/** Pool statistics summed per Service; an origin two Services share counts for both. Pure. */
export function poolsByService(bound: BoundSnapshot, pools: Iterable<PoolStats>): Map<string, Omit<PoolStats, 'origin'>> {
  const byOrigin = new Map<string, PoolStats>();
  for (const p of pools) byOrigin.set(p.origin, p);
  const out = new Map<string, { connected: number; free: number; pending: number; running: number }>();
  // Two ports of one Service may reach the same origin; its pool is counted once for the Service.
  const counted = new Set<string>();
  for (const b of bound.backends.values()) {
    let sum = out.get(b.backend.service);
    if (sum === undefined) {
      sum = { connected: 0, free: 0, pending: 0, running: 0 };
      out.set(b.backend.service, sum);
    }
    const tls = b.backend.tls ?? null;
    for (const e of b.backend.ready) {
      // The registry keys pools as bound-snapshot.ts's originsOf does (origin, TLS options, h2c, and a route's own
      // connect timeout: those pools count for the Service too).
      for (const connectTimeout of [0, ...(b.backend.connectTimeouts ?? [])]) {
        const origin = poolKey(originOf(e, tls !== null), tls, b.backend.h2c === true, connectTimeout);
        const p = byOrigin.get(origin);
        if (p === undefined || counted.has(`${b.backend.service}\0${origin}`)) continue;
        counted.add(`${b.backend.service}\0${origin}`);
        sum.connected += p.connected;
        sum.free += p.free;
        sum.pending += p.pending;
        sum.running += p.running;
      }
    }
  }
  return out;
}
