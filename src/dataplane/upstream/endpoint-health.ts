/**
 * The health the data plane sees for each endpoint (`address:port`), for readers outside the request path (the DNS
 * server's federation answers). An endpoint reached through several backends is healthy only if every one of them
 * finds it so. Read-only: it looks at runtime state and changes nothing.
 */
import type { BoundSnapshot } from '../bound-snapshot.ts';

export function endpointHealth(bound: BoundSnapshot, now = Date.now()): ReadonlyMap<string, boolean> {
  const out = new Map<string, boolean>();
  for (const set of bound.backends.values()) {
    for (const m of set.members) {
      const key = `${m.endpoint.address}:${m.endpoint.port}`;
      out.set(key, (out.get(key) ?? true) && m.load.healthy(now));
    }
  }
  return out;
}
