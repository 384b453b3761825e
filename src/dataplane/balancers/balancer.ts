/**
 * The balancing interface: a policy picks one of a backend's ready endpoints for a request. A policy instance holds
 * its own state (cursors, counters) and lives in the runtime, keyed by backend, so it survives reloads.
 */
import type { ResolvedEndpoint } from '../../controllers/resolved-endpoint.ts';

export interface Balancer {
  /** An index into `endpoints`, or -1 when there is none to pick. */
  pick(endpoints: readonly ResolvedEndpoint[]): number;
}

export type BalancerFactory = () => Balancer;
