/**
 * Round robin: with equal weights each request goes to the next endpoint in order. With weights, the cursor walks a
 * low-discrepancy sequence (multiples of the golden ratio) over the cumulative weights, so an endpoint of weight 3
 * gets three picks in every four against one of weight 1, interleaved rather than in bursts. The cursor is taken
 * modulo the current set, so a shrinking set never skips past its end.
 */
import type { Balancer, PickContext } from './balancer.ts';
import type { CandidateSet } from './candidate-set.ts';

const GOLDEN = 0.6180339887498949;

export class RoundRobin implements Balancer {
  #next = 0;

  pick(set: CandidateSet, _ctx?: PickContext): number {
    const n = set.size;
    if (n === 0) return -1;
    if (set.uniform) {
      const index = this.#next % n;
      this.#next = index + 1;
      return index;
    }
    // Kept below 2^31 so the product stays exact; the sequence is equidistributed whatever its start.
    this.#next = (this.#next + 1) & 0x3fffffff;
    const x = (this.#next * GOLDEN) % 1;
    return set.at(x * set.totalWeight);
  }
}
