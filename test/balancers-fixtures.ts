/** Candidate sets and contexts for balancer tests: pure objects, no sockets. */
import type { PickContext } from '../src/dataplane/balancers/balancer.ts';
import { CandidateSet, type Candidate, type EndpointLoad } from '../src/dataplane/balancers/candidate-set.ts';

export interface MutableLoad extends EndpointLoad {
  inFlight: number;
  ewmaMs: number;
  ewmaAt: number;
}

export function candidates(spec: readonly (number | { weight?: number; inFlight?: number; ewmaMs?: number; key?: string })[]): { set: CandidateSet; loads: MutableLoad[] } {
  const loads: MutableLoad[] = [];
  const items: Candidate[] = spec.map((s, i) => {
    const o = typeof s === 'number' ? { weight: s } : s;
    // Measured just now (far in the future for the pick), so the estimate does not decay during a test.
    const load: MutableLoad = { inFlight: o.inFlight ?? 0, ewmaMs: o.ewmaMs ?? 0, ewmaAt: performance.now() + 1e9 };
    loads.push(load);
    return { key: o.key ?? `http://10.0.0.${i + 1}:80`, weight: o.weight ?? 1, load };
  });
  return { set: new CandidateSet(items), loads };
}

export function ctxFor(i: number): PickContext {
  return { clientIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, headers: { 'x-user': `user-${i}`, cookie: `a=1; session=s${i}` } };
}

export function counts(n: number, picks: readonly number[]): number[] {
  const out = new Array<number>(n).fill(0);
  for (const p of picks) out[p]!++;
  return out;
}
