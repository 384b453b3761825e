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

/** The live load of one endpoint: runtime state kept by endpoint origin (endpoint-state.ts). */
export interface EndpointLoad {
  /** Requests sent and not yet finished. */
  readonly inFlight: number;
  /** Peak-EWMA of the time to response headers, in ms; 0 before the first response. */
  readonly ewmaMs: number;
  /** performance.now() of the last update of ewmaMs. */
  readonly ewmaAt: number;
}

/** One endpoint as a policy sees it. */
export interface Candidate {
  /** Stable identity (the origin): what hashing policies hash, so a key stays put while its endpoint stays. */
  readonly key: string;
  /** Relative share of traffic, a positive integer (default 1). */
  readonly weight: number;
  readonly load: EndpointLoad;
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
