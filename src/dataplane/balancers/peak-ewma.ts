/**
 * Peak-EWMA (Finagle, Linkerd): the cost of an endpoint is its latency estimate times (1 + the requests it already
 * has in flight); two endpoints are sampled in proportion to weight and the cheaper one wins (the weight acts through
 * the sampling only, so idle endpoints share by weight). The estimate
 * (endpoint-state.ts) jumps up at once on a slow response and decays over a time constant, so a slow endpoint is
 * avoided quickly and retried gradually. Endpoints without a measurement yet cost as much as the fastest known one,
 * which gets them probed without favouring them.
 */
import type { Balancer, Candidate, PickContext } from './balancer.ts';
import type { CandidateSet } from './candidate-set.ts';

export class PeakEwma implements Balancer {
  pick(set: CandidateSet, _ctx?: PickContext): number {
    const n = set.size;
    if (n <= 1) return n - 1;
    const a = set.sample();
    let b = set.sample();
    if (b === a) b = (a + 1 + Math.floor(Math.random() * (n - 1))) % n;
    const ia = set.items[a]!;
    const ib = set.items[b]!;
    const known = Math.min(ia.load.ewmaMs || Infinity, ib.load.ewmaMs || Infinity);
    const floor = known === Infinity ? 1 : known;
    return cost(ib, floor) < cost(ia, floor) ? b : a;
  }
}

function cost(c: Candidate, unknownMs: number): number {
  return (c.load.ewmaMs || unknownMs) * (c.load.inFlight + 1);
}
