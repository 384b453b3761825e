/**
 * Load shedding. Every 250 ms (a timer, never per request) the guard reads the event-loop delay histogram
 * (perf_hooks.monitorEventLoopDelay) and the heap in use; while either is near its budget, `shedding` is true and the
 * entrypoint answers new requests 503 with Retry-After at once, while requests already in flight finish. Shedding
 * holds for a second after the last bad sample so the data plane does not flap at the edge of its budget.
 *
 * The process's own bounded work (a reload: parsing, compiling, swapping) is declared with ownWork(); event-loop
 * delay measured while it runs, and in the sample that saw it end, is not overload: that delay ends with the work,
 * and shedding for it would fail requests on routes the reload does not even change. Requests meanwhile wait their
 * turn instead. Heap pressure is still acted on, reload or not.
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

/**
 * Which budget a sample breaks (the event loop first), or null; pure. `ownWork`: the process's own bounded work ran
 * during the sample, so its delay does not count.
 */
export function overloadReason(sample: OverloadSample, settings: OverloadSettings, heapLimit: number, ownWork = false): OverloadReason | null {
  if (!ownWork && settings.maxEventLoopDelayMs !== 0 && sample.delayMs > settings.maxEventLoopDelayMs) return 'event-loop-delay';
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
  /** Own work running now, and whether any ran since the last sample. */
  #ownWork = 0;
  #ownWorkSeen = false;

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

  /**
   * Declares the start of the process's own bounded work (a reload); call the function returned when it ends (more
   * than once is harmless). Until then, and for the sample that sees it end, event-loop delay is not shed for.
   */
  ownWork(): () => void {
    this.#ownWork++;
    this.#ownWorkSeen = true;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#ownWork--;
    };
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
    const own = this.#ownWorkSeen;
    this.#ownWorkSeen = this.#ownWork > 0;
    const reason = overloadReason(sample, this.#settings, this.#heapLimit, own);
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
