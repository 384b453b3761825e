/**
 * The shared state's part of `/config/status`: a `sharedState` section (servers, prefix, reachable, since, lastError,
 * revision) and an `edgeway.io/SharedStateReachable` condition (condition.ts), so tools that read conditions can
 * alert on it. Unreachable is reported here and in metrics only: the replica keeps serving, and /readyz stays 200.
 */
import type { SharedStateView } from '../shared/shared-state-health.ts';
import type { Condition } from './condition.ts';

export const CONDITION_SHARED_STATE_REACHABLE = 'edgeway.io/SharedStateReachable';

export interface SharedStateStatus {
  readonly servers: readonly string[];
  readonly prefix: string;
  /** Null until the first probe has answered. */
  readonly reachable: boolean | null;
  readonly since: string;
  readonly lastError: { readonly at: string; readonly message: string } | null;
  readonly revision: number;
}

export function sharedStateStatus(view: SharedStateView): SharedStateStatus {
  return {
    servers: view.servers,
    prefix: view.prefix,
    reachable: view.reachable,
    since: view.since.toISOString(),
    lastError: view.lastError === null ? null : { at: view.lastError.at.toISOString(), message: view.lastError.message },
    revision: view.revision,
  };
}

export function sharedStateCondition(view: SharedStateView): Condition {
  const lastTransitionTime = view.since.toISOString();
  const servers = view.servers.join(', ');
  if (view.reachable === true) {
    return {
      type: CONDITION_SHARED_STATE_REACHABLE,
      status: 'True',
      reason: 'EtcdReachable',
      message: `etcd at ${servers} answers (revision ${view.revision})`,
      lastTransitionTime,
    };
  }
  if (view.reachable === false) {
    const why = view.lastError === null ? '' : `: ${view.lastError.message}`;
    return {
      type: CONDITION_SHARED_STATE_REACHABLE,
      status: 'False',
      reason: 'EtcdUnreachable',
      message: `etcd at ${servers} does not answer${why}; the last good configuration keeps serving (last revision seen ${view.revision})`,
      lastTransitionTime,
    };
  }
  return {
    type: CONDITION_SHARED_STATE_REACHABLE,
    status: 'Unknown',
    reason: 'NotProbedYet',
    message: `etcd at ${servers} has not been probed yet`,
    lastTransitionTime,
  };
}
