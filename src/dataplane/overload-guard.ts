/**
 * Load shedding. Every 250 ms (a timer, never per request) the guard reads the event-loop delay histogram
 * (perf_hooks.monitorEventLoopDelay) and the heap in use; while either is near its budget, `shedding` is true and the
 * entrypoint answers new requests 503 with Retry-After at once, while requests already in flight finish. Shedding
 * holds for a second after the last bad sample so the data plane does not flap at the edge of its budget.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { OverloadSettings } from '../config/settings.ts';
import type { OverloadReason } from '../metrics/rejection-counters.ts';

const SAMPLE_MS = 250;
const HOLD_MS = 1000;
/** Heap use at which shedding starts, as a share of the budget: "near", not "at". */
const HEAP_NEAR = 0.9;

export interface OverloadSample {
  /** p99 event-loop delay over the sample, ms. */
  readonly delayMs: number;
  readonly heapUsed: number;
}

/** The decision for one sample; pure, for table tests. `heapLimit` is the resolved budget (never 0). */
export function isOverloaded(sample: OverloadSample, settings: OverloadSettings, heapLimit: number): boolean {
  return overloadReason(sample, settings, heapLimit) !== null;
}

/** Which budget a sample breaks (the event loop first), or null; pure. */
export function overloadReason(sample: OverloadSample, settings: OverloadSettings, heapLimit: number): OverloadReason | null {
  if (settings.maxEventLoopDelayMs !== 0 && sample.delayMs > settings.maxEventLoopDelayMs) return 'event-loop-delay';
  return sample.heapUsed > heapLimit * HEAP_NEAR ? 'heap' : null;
}

export class OverloadGuard {
  /** Read by the entrypoint per request: one property load. */
  shedding = false;
  /** Why shedding is (or last was) on, for the metrics: the budget the last bad sample broke. */
  reason: OverloadReason = 'event-loop-delay';
  /** The Retry-After value, as a header string. */
  retryAfter: string;
  #settings: OverloadSettings;
  #heapLimit: number;
  #histogram: ReturnType<typeof monitorEventLoopDelay> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #lastBad = -Infinity;

  constructor(settings: OverloadSettings) {
    this.#settings = settings;
    this.retryAfter = String(settings.retryAfterSeconds);
    this.#heapLimit = heapBudget(settings);
  }

  configure(settings: OverloadSettings): void {
    this.#settings = settings;
    this.retryAfter = String(settings.retryAfterSeconds);
    this.#heapLimit = heapBudget(settings);
  }

  start(): void {
    if (this.#timer !== null) return;
    this.#histogram = monitorEventLoopDelay({ resolution: 10 });
    this.#histogram.enable();
    this.#timer = setInterval(this.#sample, SAMPLE_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#histogram?.disable();
    this.#histogram = null;
    this.shedding = false;
  }

  #sample = (): void => {
    const h = this.#histogram;
    if (h === null) return;
    const sample = { delayMs: h.percentile(99) / 1e6, heapUsed: getHeapStatistics().used_heap_size };
    h.reset();
    const now = performance.now();
    const reason = overloadReason(sample, this.#settings, this.#heapLimit);
    if (reason !== null) {
      this.#lastBad = now;
      this.reason = reason;
    }
    this.shedding = now - this.#lastBad < HOLD_MS;
  };
}

function heapBudget(settings: OverloadSettings): number {
  return settings.maxHeapBytes !== 0 ? settings.maxHeapBytes : getHeapStatistics().heap_size_limit;
}
