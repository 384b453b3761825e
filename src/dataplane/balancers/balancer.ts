/**
 * The balancing interface: a policy picks one of a backend's ready endpoints for a request. A policy instance holds
 * its own state (cursors, counters) and lives in the runtime, keyed by backend, so it survives reloads.
 */
import type { ResolvedEndpoint } from '../../controllers/resolved-endpoint.ts';

/** What a policy may know of the request. Built once per request by the caller; policies never keep it. */
export interface PickContext {
  /** The client's address (IPv4-mapped prefix removed), for ClientIP affinity and hashing. */
  readonly clientIp: string;
}

export interface Balancer {
  /** An index into `endpoints`, or -1 when there is none to pick. */
  pick(endpoints: readonly ResolvedEndpoint[], ctx: PickContext): number;
}

export type BalancerFactory = () => Balancer;
