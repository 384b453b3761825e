/**
 * The runtime state of one endpoint origin, shared by every backend and snapshot that routes to it: requests in
 * flight, the peak-EWMA latency, the active health check's verdict and the passive outlier detector's ejection.
 * It changes as requests finish and checks run; configuration never writes it. Changes that alter which endpoints
 * may be picked bump the board's version (endpoint-states.ts) so each upstream set recomputes its candidates once.
 */
import type { EndpointLoad } from '../balancers/candidate-set.ts';
import { ejectionMs, priorEjections, type OutlierSettings } from './outlier-policy.ts';

/** The latency estimate decays towards new samples over this time constant (Linkerd uses 10 s). */
export const EWMA_DECAY_MS = 5_000;

export interface StateListener {
  /** Something that changes eligibility happened. */
  changed(): void;
  /** The active check's verdict (checked or not, healthy or not) changed; a check that confirms it calls nothing. */
  verdictChanged(): void;
}

export class EndpointState implements EndpointLoad {
  readonly origin: string;
  readonly #listener: StateListener;
  inFlight = 0;
  ewmaMs = 0;
  ewmaAt = 0;

  /** Active check verdict; true until a check says otherwise (the endpoint was listed ready). */
  activeHealthy = true;
  activeChecked = false;
  activeDetail = '';
  #passes = 0;
  #fails = 0;

  consecutiveFailures = 0;
  ejections = 0;
  ejectedUntil = 0;
  #returnedAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(origin: string, listener: StateListener) {
    this.origin = origin;
    this.#listener = listener;
  }

  /** Not ejected and not failing its active check. */
  healthy(now: number): boolean {
    return this.activeHealthy && this.ejectedUntil <= now;
  }

  ejected(now: number): boolean {
    return this.ejectedUntil > now;
  }

  /** A response's headers arrived `ms` after the request was sent. */
  observeLatency(ms: number, now: number): void {
    if (ms > this.ewmaMs || this.ewmaAt === 0) {
      this.ewmaMs = ms;
    } else {
      const w = Math.exp(-(now - this.ewmaAt) / EWMA_DECAY_MS);
      this.ewmaMs = this.ewmaMs * w + ms * (1 - w);
    }
    this.ewmaAt = now;
  }

  /** A request succeeded (any answer below 500). */
  succeeded(): void {
    this.consecutiveFailures = 0;
  }

  /** A request failed; true when this failure reaches the threshold (the caller decides whether to eject). */
  failed(s: OutlierSettings): boolean {
    this.consecutiveFailures++;
    return s.enabled && this.consecutiveFailures >= s.consecutiveFailures;
  }

  eject(now: number, s: OutlierSettings): void {
    const duration = ejectionMs(priorEjections(this.ejections, this.#returnedAt, now, s), s);
    this.ejections = priorEjections(this.ejections, this.#returnedAt, now, s) + 1;
    this.ejectedUntil = now + duration;
    this.consecutiveFailures = 0;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#return, duration + 1);
    this.#timer.unref();
    this.#listener.changed();
  }

  #return = (): void => {
    this.#timer = undefined;
    this.#returnedAt = Date.now();
    this.#listener.changed();
  };

  /** One active check result, applied with the probe's success and failure thresholds. */
  checked(ok: boolean, detail: string, successThreshold: number, failureThreshold: number): void {
    const first = !this.activeChecked;
    this.activeChecked = true;
    this.activeDetail = detail;
    if (ok) {
      this.#fails = 0;
      this.#passes++;
      if (!this.activeHealthy && this.#passes >= successThreshold) this.#setActive(true);
    } else {
      this.#passes = 0;
      this.#fails++;
      if (this.activeHealthy && this.#fails >= failureThreshold) this.#setActive(false);
    }
    // #setActive reported a flip; the first verdict of an endpoint that stays healthy is news too.
    if (first && this.activeHealthy) this.#listener.verdictChanged();
  }

  /**
   * A verdict reached elsewhere, thresholds already applied: a data-plane worker takes the primary's (the checks run
   * there once, not in every worker; src/workers/health-verdicts.ts).
   */
  verdict(healthy: boolean, detail: string): void {
    this.activeChecked = true;
    this.activeDetail = detail;
    if (healthy !== this.activeHealthy) this.#setActive(healthy);
  }

  #setActive(healthy: boolean): void {
    this.activeHealthy = healthy;
    if (healthy) {
      // A backend that recovers is trusted again at once: stale failure runs and ejections would keep it out.
      this.consecutiveFailures = 0;
      this.ejectedUntil = 0;
    }
    this.#listener.changed();
    this.#listener.verdictChanged();
  }

  /** The endpoint no longer has an active check: forget its verdict. */
  clearActive(): void {
    const was = this.activeChecked;
    this.activeChecked = false;
    this.activeDetail = '';
    this.#passes = 0;
    this.#fails = 0;
    if (!this.activeHealthy) {
      this.activeHealthy = true;
      this.#listener.changed();
    }
    if (was) this.#listener.verdictChanged();
  }

  /** Stop timers: the endpoint left every snapshot. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
