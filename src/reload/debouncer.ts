/**
 * Batches bursts of events into one call: fires once the events have been quiet for `quietMs`, and at the latest
 * `maxMs` after the first event of the burst, so a file that keeps changing still gets reloaded (contour batches
 * its events the same way: about 100 ms, forced after 500 ms).
 */
export interface DebounceTiming {
  readonly quietMs: number;
  readonly maxMs: number;
}

export const RELOAD_DEBOUNCE: DebounceTiming = { quietMs: 100, maxMs: 500 };

export class Debouncer {
  readonly #timing: DebounceTiming;
  readonly #fire: () => void;
  #quiet: NodeJS.Timeout | null = null;
  #deadline: NodeJS.Timeout | null = null;

  constructor(timing: DebounceTiming, fire: () => void) {
    this.#timing = timing;
    this.#fire = fire;
  }

  /** One more event of the current burst. */
  poke(): void {
    if (this.#quiet !== null) clearTimeout(this.#quiet);
    this.#quiet = setTimeout(this.#flush, this.#timing.quietMs);
    this.#deadline ??= setTimeout(this.#flush, this.#timing.maxMs);
  }

  /** Drops a pending burst without firing. */
  cancel(): void {
    if (this.#quiet !== null) clearTimeout(this.#quiet);
    if (this.#deadline !== null) clearTimeout(this.#deadline);
    this.#quiet = null;
    this.#deadline = null;
  }

  readonly #flush = (): void => {
    this.cancel();
    this.#fire();
  };
}
