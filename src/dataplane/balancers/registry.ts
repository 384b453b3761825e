/**
 * Balancing policies by the name the `edgeway.io/load-balancer` annotation and the settings use.
 */
import type { BalancerFactory } from './balancer.ts';
import { LeastRequest } from './least-request.ts';
import { Maglev } from './maglev.ts';
import { PeakEwma } from './peak-ewma.ts';
import { RingHash } from './ring-hash.ts';
import { RoundRobin } from './round-robin.ts';

export const BALANCERS: ReadonlyMap<string, BalancerFactory> = new Map<string, BalancerFactory>([
  ['round-robin', () => new RoundRobin()],
  ['least-request', () => new LeastRequest()],
  ['ewma', () => new PeakEwma()],
  ['ring-hash', (o) => new RingHash(o)],
  ['maglev', (o) => new Maglev(o)],
]);

export const DEFAULT_BALANCER = 'round-robin';

/** Policies that hash a request key; `sessionAffinity: ClientIP` picks ring-hash when no policy is named. */
export const HASHING_BALANCERS: ReadonlySet<string> = new Set(['ring-hash', 'maglev']);
