/**
 * The board of endpoint states by origin, outliving snapshots: a reload that keeps an endpoint keeps its health,
 * ejection and load. `version` counts eligibility changes; upstream sets compare it per request (one integer
 * compare) and recompute their candidates only when it moved. `onVerdictChange` tells whoever shares the active
 * checks' verdicts (the primary, with its workers) the moment one changes.
 */
import { EndpointState, type StateListener } from './endpoint-state.ts';
import type { OutlierSettings } from './outlier-policy.ts';

export class EndpointStates implements StateListener {
  readonly #states = new Map<string, EndpointState>();
  readonly #verdictListeners = new Set<() => void>();
  version = 0;
  outlier: OutlierSettings;

  constructor(outlier: OutlierSettings) {
    this.outlier = outlier;
  }

  changed(): void {
    this.version++;
  }

  verdictChanged(): void {
    for (const listener of this.#verdictListeners) listener();
  }

  /** Calls `listener` whenever an endpoint's active verdict changes; returns the unsubscribe. */
  onVerdictChange(listener: () => void): () => void {
    this.#verdictListeners.add(listener);
    return () => this.#verdictListeners.delete(listener);
  }

  state(origin: string): EndpointState {
    let state = this.#states.get(origin);
    if (state === undefined) {
      state = new EndpointState(origin, this);
      this.#states.set(origin, state);
    }
    return state;
  }

  get(origin: string): EndpointState | undefined {
    return this.#states.get(origin);
  }

  /** Keep the states of `origins`, forget the rest. */
  retain(origins: ReadonlySet<string>): void {
    for (const [origin, state] of this.#states) {
      if (origins.has(origin)) continue;
      state.dispose();
      this.#states.delete(origin);
    }
  }

  values(): IterableIterator<EndpointState> {
    return this.#states.values();
  }

  dispose(): void {
    for (const state of this.#states.values()) state.dispose();
    this.#states.clear();
  }
}
