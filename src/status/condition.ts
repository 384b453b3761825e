/**
 * One status condition, shaped as Kubernetes shapes them (type, status True/False/Unknown, reason, message,
 * lastTransitionTime), so tools that read conditions read edgeway's: those on Services (service-status.ts) and the
 * replica's own in `/config/status` (shared-state-status.ts). Types edgeway defines carry the `edgeway.io/` prefix,
 * as Kubernetes asks of conditions that are not its own.
 */

export interface Condition {
  readonly type: string;
  /** Unknown: not yet known, e.g. before the first probe has answered. */
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}
