/**
 * The shared state's part of `/config/status`: a `sharedState` section (servers, prefix, reachable, since, lastError,
 * revision) and a `SharedStateReachable` condition shaped as Kubernetes status conditions are (type, status
 * True/False/Unknown, reason, message, lastTransitionTime), so tools that read conditions can alert on it.
 * Unreachable is reported here and in metrics only: the replica keeps serving, and /readyz stays 200.
 */
import type { SharedStateView } from '../shared/shared-state-health.ts';

export interface StatusCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

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

export function sharedStateCondition(view: SharedStateView): StatusCondition {
  const lastTransitionTime = view.since.toISOString();
  const servers = view.servers.join(', ');
  if (view.reachable === true) {
    return {
      type: 'SharedStateReachable',
      status: 'True',
      reason: 'EtcdReachable',
      message: `etcd at ${servers} answers (revision ${view.revision})`,
      lastTransitionTime,
    };
  }
  if (view.reachable === false) {
    const why = view.lastError === null ? '' : `: ${view.lastError.message}`;
    return {
      type: 'SharedStateReachable',
      status: 'False',
      reason: 'EtcdUnreachable',
      message: `etcd at ${servers} does not answer${why}; the last good configuration keeps serving (last revision seen ${view.revision})`,
      lastTransitionTime,
    };
  }
  return { type: 'SharedStateReachable', status: 'Unknown', reason: 'NotProbedYet', message: `etcd at ${servers} has not been probed yet`, lastTransitionTime };
}
