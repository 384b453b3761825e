/**
 * Active health checks run in the primary only (its DataPlane follows every generation but serves nothing), and the
 * verdicts reach the workers as one small list whenever one changes: an endpoint is probed once per machine, not
 * once per worker, and every worker routes around it at the same moment. Outlier ejection stays per worker: it
 * follows the traffic each worker sees.
 */
import type { EndpointStates } from '../dataplane/health/endpoint-states.ts';

/** `[origin, healthy, detail]` of every endpoint with an active check. */
export type HealthVerdict = readonly [string, boolean, string];

export function verdictsOf(states: EndpointStates): HealthVerdict[] {
  const out: HealthVerdict[] = [];
  for (const s of states.values()) if (s.activeChecked) out.push([s.origin, s.activeHealthy, s.activeDetail]);
  return out;
}

/** A worker's side: the primary's verdicts applied; an endpoint the list leaves out has no active check any more. */
export function applyVerdicts(states: EndpointStates, verdicts: readonly HealthVerdict[]): void {
  const seen = new Set<string>();
  for (const [origin, healthy, detail] of verdicts) {
    seen.add(origin);
    states.get(origin)?.verdict(healthy, detail);
  }
  for (const s of states.values()) if (s.activeChecked && !seen.has(s.origin)) s.clearActive();
}

/** The primary's side: calls `send` with the verdicts whenever the board changed, checking every `everyMs`. */
export function watchVerdicts(states: EndpointStates, send: (verdicts: HealthVerdict[]) => void, everyMs = 100): () => void {
  let seen = states.version;
  const timer = setInterval(() => {
    if (states.version === seen) return;
    seen = states.version;
    send(verdictsOf(states));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
