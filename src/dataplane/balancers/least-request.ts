/**
 * Least request by the power of two choices: sample two endpoints (in proportion to weight), send to the one with
 * fewer requests in flight per unit of weight. Two random choices avoid the herd that "global least" causes when
 * many requests arrive between counter updates, and cost O(1) per pick.
 */
import type { Balancer, PickContext } from './balancer.ts';
import type { CandidateSet } from './candidate-set.ts';

export class LeastRequest implements Balancer {
  pick(set: CandidateSet, _ctx?: PickContext): number {
    const n = set.size;
    if (n <= 1) return n - 1;
    const a = set.sample();
    const b = set.sampleOtherThan(a);
    const ia = set.items[a]!;
    const ib = set.items[b]!;
    // Cross-multiplied to compare inFlight/weight without dividing.
    return ib.load.inFlight * ia.weight < ia.load.inFlight * ib.weight ? b : a;
  }
}
