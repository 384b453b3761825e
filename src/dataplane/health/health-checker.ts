/**
 * Runs the active health checks: one loop per endpoint origin, outliving snapshots. `reconcile` is called on every
 * bind with the probes the new snapshot wants: new endpoints get a loop, endpoints no longer routed to lose theirs,
 * a changed probe restarts its loop, and an unchanged one keeps running with its state (so a reload never resets a
 * verdict). Nothing here runs per request. The first check of a new endpoint runs after a random part of its
 * interval, so a reload with many endpoints does not probe them all at once.
 */
import type { HealthProbe } from '../../controllers/resolved-endpoint.ts';
import type { EndpointState } from './endpoint-state.ts';
import { runProbe } from './run-probe.ts';

export interface DesiredCheck {
  readonly address: string;
  readonly probe: HealthProbe;
  readonly state: EndpointState;
}

class CheckLoop {
  readonly address: string;
  readonly probe: HealthProbe;
  readonly key: string;
  readonly state: EndpointState;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(check: DesiredCheck, key: string) {
    this.address = check.address;
    this.probe = check.probe;
    this.key = key;
    this.state = check.state;
    this.#schedule(Math.floor(Math.random() * Math.min(check.probe.intervalMs, 1000)));
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(this.#run, ms);
    this.#timer.unref();
  }

  #run = (): void => {
    this.#timer = undefined;
    const started = Date.now();
    void runProbe(this.address, this.probe).then((result) => {
      if (this.#stopped) return;
      this.state.checked(result.ok, result.detail, this.probe.successThreshold, this.probe.failureThreshold);
      this.#schedule(Math.max(0, this.probe.intervalMs - (Date.now() - started)));
    });
  };

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}

export class HealthChecker {
  readonly #loops = new Map<string, CheckLoop>();
  #remote = false;

  /**
   * From now on nothing is probed here: the verdicts come from another process (a data-plane worker gets the
   * primary's, src/workers/health-verdicts.ts), so an endpoint is probed once however many workers serve it.
   */
  remote(): void {
    this.#remote = true;
    this.stop();
  }

  /** @param desired by origin. */
  reconcile(desired: ReadonlyMap<string, DesiredCheck>): void {
    if (this.#remote) return;
    for (const [origin, loop] of this.#loops) {
      const want = desired.get(origin);
      if (want === undefined || probeKey(want) !== loop.key) {
        loop.stop();
        loop.state.clearActive();
        this.#loops.delete(origin);
      }
    }
    for (const [origin, want] of desired) {
      if (!this.#loops.has(origin)) this.#loops.set(origin, new CheckLoop(want, probeKey(want)));
    }
  }

  /** Origins being checked, with their probe. */
  checks(): IterableIterator<[string, { readonly probe: HealthProbe }]> {
    return this.#loops.entries();
  }

  get size(): number {
    return this.#loops.size;
  }

  stop(): void {
    for (const loop of this.#loops.values()) loop.stop();
    this.#loops.clear();
  }
}

function probeKey(check: DesiredCheck): string {
  return `${check.address}\0${JSON.stringify(check.probe)}`;
}
