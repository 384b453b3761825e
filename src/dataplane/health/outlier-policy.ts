/**
 * Passive outlier detection as pure arithmetic (Envoy's consecutive-failure detector): after `consecutiveFailures`
 * failures in a row (connect failures, resets, timeouts or 5xx answers) an endpoint is ejected for
 * base × (number of its ejections), capped at the maximum; a success resets the run. At most `maxEjectionPercent` of
 * a backend's endpoints are ejected at once, but always at least one may be, so a two-endpoint Service still
 * sheds a dead endpoint. The ejection count is forgotten after an endpoint has stayed in for the maximum ejection
 * time, so a long-healthy endpoint that fails once more starts from the base again.
 */

export interface OutlierSettings {
  readonly enabled: boolean;
  readonly consecutiveFailures: number;
  readonly baseEjectionMs: number;
  readonly maxEjectionMs: number;
  readonly maxEjectionPercent: number;
}

/** How long the next ejection lasts, given how many the endpoint has had before (0 for its first). */
export function ejectionMs(previousEjections: number, s: OutlierSettings): number {
  return Math.min(s.baseEjectionMs * (previousEjections + 1), s.maxEjectionMs);
}

/** Whether one more endpoint may be ejected when `ejected` of `total` already are. */
export function mayEject(ejected: number, total: number, s: OutlierSettings): boolean {
  if (total <= 1) return false;
  const allowed = Math.max(1, Math.floor((total * s.maxEjectionPercent) / 100));
  return ejected < allowed;
}

/** The ejection count to build on: reset once the endpoint has been back for the maximum ejection time. */
export function priorEjections(ejections: number, returnedAt: number, now: number, s: OutlierSettings): number {
  return ejections > 0 && now - returnedAt >= s.maxEjectionMs ? 0 : ejections;
}
