/**
 * The clock for slow clients: bodies that stop arriving (`downstream.bodyTimeout`), HTTP/2 requests past
 * `downstream.requestTimeout` (node:http enforces it for HTTP/1.1 itself), and responses a client does not read
 * (`downstream.sendTimeout`). One coarse periodic sweep looks at everything watched instead of a timer per request,
 * and runs only while something is watched: requests without a body, and responses the client reads as fast as they
 * come, never enter it. A timeout is noticed between its deadline and the deadline plus SWEEP_MS.
 */

/** How often the sweep looks; well inside the one second of slack the timeouts promise. */
export const CLIENT_SWEEP_MS = 250;

/** What the sweep asks of a watched request or response. */
export interface ClientWatched {
  /**
   * One look at `now` (performance.now()); returns true when watching can stop (body complete, response drained,
   * request over, or it was just failed for a timeout).
   */
  checkClient(now: number): boolean;
}

export class ClientWatch {
  readonly #watched = new Set<ClientWatched>();
  #timer: NodeJS.Timeout | null = null;

  /** Requests and responses under watch (tests, the slow-client perf scenario). */
  get size(): number {
    return this.#watched.size;
  }

  add(item: ClientWatched): void {
    this.#watched.add(item);
    if (this.#timer === null) {
      this.#timer = setInterval(this.#sweep, CLIENT_SWEEP_MS);
      this.#timer.unref();
    }
  }

  delete(item: ClientWatched): void {
    this.#watched.delete(item);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#watched.clear();
  }

  readonly #sweep = (): void => {
    const now = performance.now();
    for (const item of this.#watched) if (item.checkClient(now)) this.#watched.delete(item);
    if (this.#watched.size === 0 && this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  };
}
