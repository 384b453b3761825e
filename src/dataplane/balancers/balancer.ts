/**
 * The balancing interface: a policy picks one endpoint of a candidate set for a request. A policy instance holds its
 * own state (cursors, rings) and lives in the runtime, keyed by backend, so it survives reloads. Which endpoints are
 * candidates (healthy, not ejected, in the serving locality) is decided before the policy runs (upstream-set.ts):
 * a policy only balances.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HashOn } from '../../snapshot/balancing-policy.ts';
import type { CandidateSet } from './candidate-set.ts';

/** What a policy may know of the request. Built once per request by the caller; policies never keep it. */
export interface PickContext {
  /** The client's address (IPv4-mapped prefix removed), for ClientIP affinity and hashing. */
  readonly clientIp: string;
  /** The request headers as Node parsed them (no copy); only hashing policies read them. */
  readonly headers?: IncomingHttpHeaders;
}

export interface BalancerOptions {
  /** Only read by ring-hash and maglev; client-ip when not given. */
  readonly hashOn?: HashOn;
}

export interface Balancer {
  /** An index into `set.items`, or -1 when the set is empty. */
  pick(set: CandidateSet, ctx: PickContext): number;
}

export type BalancerFactory = (options: BalancerOptions) => Balancer;
