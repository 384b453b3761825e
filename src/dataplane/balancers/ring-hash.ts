/**
 * Ring hash (Ketama): every endpoint owns points on a 32-bit ring in proportion to its weight; a request goes to the
 * first point at or after its key's hash. When an endpoint leaves, only the keys on its arcs move (about 1/n of
 * them). The ring is built once per candidate set and cached on it.
 */
import type { HashOn } from '../../snapshot/balancing-policy.ts';
import type { Balancer, BalancerOptions, PickContext } from './balancer.ts';
import type { CandidateSet } from './candidate-set.ts';
import { hash32, requestHash } from './hash-key.ts';

/**
 * Points per unit of weight. Fixed rather than derived from the set, so that an endpoint leaving removes its own
 * points and changes no one else's (the ring is capped at MAX_POINTS, beyond which points are scaled down).
 */
const POINTS_PER_WEIGHT = 256;
const MAX_POINTS = 65_536;
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
    const scale = Math.min(POINTS_PER_WEIGHT, MAX_POINTS / set.totalWeight);
    const count = Math.max(1, Math.round(c.weight * scale));
    for (let i = 0; i < count; i++) points.push({ hash: hash32(`${c.key}_${i}`), owner });
  });
  // Ties (rare) are broken by key so the ring does not depend on set order.
  points.sort((a, b) => a.hash - b.hash || (set.items[a.owner]!.key < set.items[b.owner]!.key ? -1 : 1));
  return { hashes: Uint32Array.from(points, (p) => p.hash), owners: Uint32Array.from(points, (p) => p.owner) };
}
