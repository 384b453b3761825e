/**
 * Ring hash (Ketama): every endpoint owns points on a 32-bit ring in proportion to its weight; a request goes to the
 * first point at or after its key's hash. When an endpoint leaves, only the keys on its arcs move (about 1/n of
 * them). The ring is built once per candidate set and cached on it.
 */
import type { Balancer, BalancerOptions, HashOn, PickContext } from './balancer.ts';
import type { CandidateSet } from './candidate-set.ts';
import { hash32, requestHash } from './hash-key.ts';

/** Points on the whole ring; Envoy's default minimum. More points, smoother shares, slower builds. */
const RING_SIZE = 4096;
const CLIENT_IP: HashOn = { kind: 'client-ip' };

interface Ring {
  readonly hashes: Uint32Array;
  readonly owners: Uint32Array;
}

export class RingHash implements Balancer {
  readonly #on: HashOn;

  constructor(options: BalancerOptions = {}) {
    this.#on = options.hashOn ?? CLIENT_IP;
  }

  pick(set: CandidateSet, ctx: PickContext): number {
    const n = set.size;
    if (n <= 1) return n - 1;
    let ring = set.derived as Ring | undefined;
    if (ring === undefined || !(ring.hashes instanceof Uint32Array)) set.derived = ring = buildRing(set);
    const h = requestHash(this.#on, ctx);
    const hashes = ring.hashes;
    let lo = 0;
    let hi = hashes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hashes[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return ring.owners[lo === hashes.length ? 0 : lo]!;
  }
}

export function buildRing(set: CandidateSet): Ring {
  const points: { hash: number; owner: number }[] = [];
  set.items.forEach((c, owner) => {
    const count = Math.max(1, Math.round((c.weight / set.totalWeight) * RING_SIZE));
    for (let i = 0; i < count; i++) points.push({ hash: hash32(`${c.key}_${i}`), owner });
  });
  // Ties (rare) are broken by key so the ring does not depend on set order.
  points.sort((a, b) => a.hash - b.hash || (set.items[a.owner]!.key < set.items[b.owner]!.key ? -1 : 1));
  return { hashes: Uint32Array.from(points, (p) => p.hash), owners: Uint32Array.from(points, (p) => p.owner) };
}
