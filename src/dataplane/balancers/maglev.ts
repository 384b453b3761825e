/**
 * Maglev (Google's load balancer, as Envoy implements it with weights): a lookup table of a prime size where each
 * endpoint fills slots in the order of its own permutation, taking turns in proportion to weight. A request goes to
 * table[hash mod size]: O(1) per pick, shares even to within a fraction of a percent, and when an endpoint leaves
 * mostly only its slots change owner. The table is built once per candidate set and cached on it.
 */
import type { HashOn } from '../../snapshot/balancing-policy.ts';
import type { Balancer, BalancerOptions, PickContext } from './balancer.ts';
import type { CandidateSet } from './candidate-set.ts';
import { hash32, requestHash } from './hash-key.ts';

/** Prime, as the permutation needs; Envoy's default. */
export const MAGLEV_TABLE_SIZE = 65537;
const CLIENT_IP: HashOn = { kind: 'client-ip' };

export class Maglev implements Balancer {
  readonly #on: HashOn;

  constructor(options: BalancerOptions = {}) {
    this.#on = options.hashOn ?? CLIENT_IP;
  }

  pick(set: CandidateSet, ctx: PickContext): number {
    const n = set.size;
    if (n <= 1) return n - 1;
    let table = set.derived as Uint32Array | undefined;
    if (!(table instanceof Uint32Array) || table.length !== MAGLEV_TABLE_SIZE) set.derived = table = buildTable(set);
    return table[requestHash(this.#on, ctx) % MAGLEV_TABLE_SIZE]!;
  }
}

export function buildTable(set: CandidateSet, size = MAGLEV_TABLE_SIZE): Uint32Array {
  const n = set.size;
  const table = new Uint32Array(size).fill(0xffffffff);
  const offset = new Uint32Array(n);
  const skip = new Uint32Array(n);
  const next = new Uint32Array(n);
  const credit = new Float64Array(n);
  let maxWeight = 0;
  for (let i = 0; i < n; i++) {
    const key = set.items[i]!.key;
    offset[i] = hash32(`${key}#offset`) % size;
    skip[i] = (hash32(`${key}#skip`) % (size - 1)) + 1;
    maxWeight = Math.max(maxWeight, set.items[i]!.weight);
  }
  let filled = 0;
  while (filled < size) {
    for (let i = 0; i < n && filled < size; i++) {
      credit[i]! += set.items[i]!.weight / maxWeight;
      while (credit[i]! >= 1 && filled < size) {
        credit[i]! -= 1;
        let slot = (offset[i]! + next[i]! * skip[i]!) % size;
        while (table[slot] !== 0xffffffff) {
          next[i]!++;
          slot = (offset[i]! + next[i]! * skip[i]!) % size;
        }
        table[slot] = i;
        next[i]!++;
        filled++;
      }
    }
  }
  return table;
}
