/**
 * The retry budget of one backend: retries may be at most `ratio` of its requests over a sliding window (plus a
 * small floor, so a quiet backend can retry at all). It keeps a failing backend from receiving (1 + retries) times
 * its traffic. Counts live in ten buckets of a tenth of the window each, so recording is two increments and the
 * window slides without timers. Pure over the clock it is given: tests drive it with numbers.
 */

const BUCKETS = 10;

export interface RetryBudgetOptions {
  readonly ratio: number;
  readonly windowMs: number;
  readonly minRetries: number;
}

export class RetryBudget {
  readonly #requests = new Float64Array(BUCKETS);
  readonly #retries = new Float64Array(BUCKETS);
  #options: RetryBudgetOptions;
  #bucketMs: number;
  /** Index of the bucket `now` falls in, as a count of bucket lengths since the clock's origin. */
  #tick = 0;

  constructor(options: RetryBudgetOptions) {
    this.#options = options;
    this.#bucketMs = Math.max(1, options.windowMs / BUCKETS);
  }

  /** A reload may change the budget; counts are kept. */
  configure(options: RetryBudgetOptions): void {
    this.#options = options;
    this.#bucketMs = Math.max(1, options.windowMs / BUCKETS);
  }

  /** Counts one request (not its retries). */
  request(now: number): void {
    this.#requests[this.#advance(now)]!++;
  }

  /** True, and the retry is counted, when the budget allows one more retry now. */
  tryRetry(now: number): boolean {
    const slot = this.#advance(now);
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < BUCKETS; i++) {
      requests += this.#requests[i]!;
      retries += this.#retries[i]!;
    }
    if (retries >= Math.max(this.#options.minRetries, requests * this.#options.ratio)) return false;
    this.#retries[slot]!++;
    return true;
  }

  #advance(now: number): number {
    const tick = Math.floor(now / this.#bucketMs);
    if (tick !== this.#tick) {
      // Clear every bucket the clock moved past (all of them after a long quiet spell).
      const steps = Math.min(BUCKETS, tick - this.#tick);
      for (let i = 1; i <= steps; i++) {
        const slot = (this.#tick + i) % BUCKETS;
        this.#requests[slot] = 0;
        this.#retries[slot] = 0;
      }
      this.#tick = tick;
    }
    return tick % BUCKETS;
  }
}
