/**
 * An immutable list of candidates with what weighted policies need precomputed once: the total weight, cumulative
 * weights for weighted sampling, and whether all weights are equal (the fast path). Sets are rebuilt only when
 * membership or health changes, never per request; a hashing policy caches its ring on the set (`derived`).
 * A candidate (an endpoint as a policy sees it) is declared here with the set, so balancer.ts imports this file and
 * not the other way round.
 */

/** The live load of one endpoint: runtime state kept by endpoint origin (endpoint-state.ts). */
export interface EndpointLoad {
  /** Requests sent and not yet finished. */
  readonly inFlight: number;
  /** Peak-EWMA of the time to response headers, in ms; 0 before the first response. */
  readonly ewmaMs: number;
  /** performance.now() of the last update of ewmaMs. */
  readonly ewmaAt: number;
}

/** One endpoint as a policy sees it. */
export interface Candidate {
  /** Stable identity (the origin): what hashing policies hash, so a key stays put while its endpoint stays. */
  readonly key: string;
  /** Relative share of traffic, a positive integer (default 1). */
  readonly weight: number;
  readonly load: EndpointLoad;
}

export class CandidateSet {
  readonly items: readonly Candidate[];
  readonly totalWeight: number;
  /** cumulative[i] = weight of items[0..i]. */
  readonly cumulative: Float64Array;
  readonly uniform: boolean;
  /** A policy's derived structure for this set (a hash ring, a Maglev table); owned by the backend's one balancer. */
  derived: unknown = undefined;

  constructor(items: readonly Candidate[]) {
    this.items = items;
    this.cumulative = new Float64Array(items.length);
    let total = 0;
    let uniform = true;
    for (let i = 0; i < items.length; i++) {
      const w = items[i]!.weight;
      total += w;
      this.cumulative[i] = total;
      if (w !== items[0]!.weight) uniform = false;
    }
    this.totalWeight = total;
    this.uniform = uniform;
  }

  get size(): number {
    return this.items.length;
  }

  /** The index whose weight interval holds `x` in [0, totalWeight): a binary search over the cumulative weights. */
  at(x: number): number {
    const c = this.cumulative;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** A random index, chosen in proportion to weight. */
  sample(): number {
    const n = this.items.length;
    if (this.uniform) return Math.floor(Math.random() * n);
    return this.at(Math.random() * this.totalWeight);
  }

  /** A second sample for the power of two choices: weighted like `sample`, but never `first` (needs size >= 2). */
  sampleOtherThan(first: number): number {
    const b = this.sample();
    return b !== first ? b : (first + 1 + Math.floor(Math.random() * (this.items.length - 1))) % this.items.length;
  }
}
