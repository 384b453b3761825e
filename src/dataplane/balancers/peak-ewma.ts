/**
 * Peak-EWMA (Finagle, Linkerd): the cost of an endpoint is its latency estimate times (1 + the requests it already
 * has in flight); two endpoints are sampled in proportion to weight and the cheaper one wins (the weight acts through
 * the sampling only, so idle endpoints share by weight). The estimate
 * (endpoint-state.ts) jumps up at once on a slow response and decays over a time constant; as in Finagle, it also
 * decays while no response updates it, so an endpoint avoided for being slow is tried again after a few seconds
 * instead of never. Endpoints without a measurement yet cost as much as the fastest known one,
 * which gets them probed without favouring them.
 */
import type { Balancer, PickContext } from './balancer.ts';
import type { Candidate, CandidateSet } from './candidate-set.ts';

/** The same time constant as the estimate's own (endpoint-state.ts). */
const DECAY_MS = 5_000;

export class PeakEwma implements Balancer {
  pick(set: CandidateSet, _ctx?: PickContext): number {
    const n = set.size;
    if (n <= 1) return n - 1;
    const a = set.sample();
    const b = set.sampleOtherThan(a);
    const ia = set.items[a]!;
    const ib = set.items[b]!;
    const now = performance.now();
    const ea = estimate(ia, now);
    const eb = estimate(ib, now);
    const known = Math.min(ea || Infinity, eb || Infinity);
    const floor = known === Infinity ? 1 : known;
    return (eb || floor) * (ib.load.inFlight + 1) < (ea || floor) * (ia.load.inFlight + 1) ? b : a;
  }
}

/** The estimate decayed for the time since its last update (only while nothing is in flight to refresh it). */
function estimate(c: Candidate, now: number): number {
  const { ewmaMs, ewmaAt, inFlight } = c.load;
  if (ewmaMs === 0 || inFlight > 0) return ewmaMs;
  const idle = now - ewmaAt;
  return idle <= 0 ? ewmaMs : ewmaMs * Math.exp(-idle / DECAY_MS);
}
