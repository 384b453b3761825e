/**
 * A Service's circuit limits (`edgeway.io/max-requests`, `max-pending-requests`, `max-connections`, and their
 * defaults from the settings) are machine-wide: with W workers, each worker enforces its share, so the workers
 * together never exceed the limit. Shares are as even as integers allow and add up to the limit exactly
 * (worker i of W gets ⌊N/W⌋, plus one for the first N mod W workers); a limit below the number of workers still
 * gives every worker 1, since a share of 0 would refuse everything there. Counting in each worker keeps the request
 * path free of cross-process traffic; the price is that a worker at its share refuses while another has room, which
 * round-robin distribution keeps rare. Done after compiling, in the worker, so compile stays the same everywhere.
 */
import type { BackendLimits } from '../snapshot/backend-limits.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';

/** Worker `index`'s share (0-based) of `limit` over `count` workers. A limit of 0 stays 0. */
export function limitShare(limit: number, index: number, count: number): number {
  if (limit === 0 || count <= 1) return limit;
  const share = Math.floor(limit / count) + (index < limit % count ? 1 : 0);
  return Math.max(1, share);
}

function shared(l: BackendLimits, index: number, count: number): BackendLimits {
  return {
    maxRequests: limitShare(l.maxRequests, index, count),
    maxPendingRequests: limitShare(l.maxPendingRequests, index, count),
    maxConnections: limitShare(l.maxConnections, index, count),
  };
}

/** Keeps the last result: an unchanged backends map (compile memo) keeps its shared map, so bindings are reused. */
export class LimitShare {
  readonly #index: number;
  readonly #count: number;
  #from: Snapshot['backends'] | null = null;
  #to: Snapshot['backends'] | null = null;

  constructor(index: number, count: number) {
    this.#index = index;
    this.#count = count;
  }

  /** The snapshot with every backend's limits cut to this worker's share. */
  apply(snapshot: Snapshot): Snapshot {
    if (this.#count <= 1) return snapshot;
    if (this.#from !== snapshot.backends || this.#to === null) {
      const out = new Map<string, Snapshot['backends'] extends ReadonlyMap<string, infer B> ? B : never>();
      for (const [key, b] of snapshot.backends) out.set(key, { ...b, limits: shared(b.limits, this.#index, this.#count) });
      this.#from = snapshot.backends;
      this.#to = out;
    }
    return { ...snapshot, backends: this.#to };
  }
}
