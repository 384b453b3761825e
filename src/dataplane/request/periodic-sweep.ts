/**
 * One coarse periodic sweep over a set of watched things, instead of a timer per request: each sweep asks every
 * item to look at itself and drops those that are done. The timer runs only while something is watched, and never
 * keeps the process alive. The send timeout (send-watch.ts) and the slow-client timeouts (client-watch.ts) are two
 * sweeps with their own interval and question.
 */
export class PeriodicSweep<T> {
  readonly #watched = new Set<T>();
  readonly #intervalMs: number;
  /** One look at `item` at `now` (performance.now()); true when watching it can stop. */
  readonly #check: (item: T, now: number) => boolean;
  #timer: NodeJS.Timeout | null = null;

  constructor(intervalMs: number, check: (item: T, now: number) => boolean) {
    this.#intervalMs = intervalMs;
    this.#check = check;
  }

  /** Items under watch (tests, the perf scenarios). */
  get size(): number {
    return this.#watched.size;
  }

  add(item: T): void {
    this.#watched.add(item);
    if (this.#timer === null) {
      this.#timer = setInterval(this.#sweep, this.#intervalMs);
      this.#timer.unref();
    }
  }

  delete(item: T): void {
    this.#watched.delete(item);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#watched.clear();
  }

  readonly #sweep = (): void => {
    const now = performance.now();
    for (const item of this.#watched) if (this.#check(item, now)) this.#watched.delete(item);
    if (this.#watched.size === 0 && this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  };
}
