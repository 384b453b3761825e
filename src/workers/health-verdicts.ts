/**
 * Active health checks run in the primary only (its DataPlane follows every generation but serves nothing), and the
 * verdicts reach the workers as one small list whenever one changes, pushed by the change rather than polled: an
 * endpoint is probed once per machine, not once per worker, and every worker routes around it at the same moment.
 * Outlier ejection stays per worker: it follows the traffic each worker sees.
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

/**
 * The primary's side: calls `send` with the verdicts when one changed. Changes reported in one turn of the event
 * loop (a reload that drops several checks, probes answering together) go out as one message, after that turn.
 */
export function watchVerdicts(states: EndpointStates, send: (verdicts: HealthVerdict[]) => void): () => void {
  let pending: NodeJS.Immediate | undefined;
  const flush = (): void => {
    pending = undefined;
    send(verdictsOf(states));
  };
  const unsubscribe = states.onVerdictChange(() => {
    pending ??= setImmediate(flush);
  });
  return () => {
    unsubscribe();
    clearImmediate(pending);
    pending = undefined;
  };
}
