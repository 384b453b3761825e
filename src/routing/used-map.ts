/**
 * A map for memos that keep only what the last compilation used: entries read or written since the last sweep()
 * stay, the others are dropped by it. Unlike building a fresh "next" map every compilation (thousands of entries
 * copied and the old table left to the garbage collector on every reload), a compilation that uses every entry
 * again costs no allocation, and one that drops a few walks the map once.
 */
export class UsedMap<K, V> {
  readonly #entries = new Map<K, { value: V; used: number }>();
  #round = 0;
  #used = 0;

  /** The value, marking it used in this round. */
  get(key: K): V | undefined {
    const found = this.#entries.get(key);
    if (found === undefined) return undefined;
    if (found.used !== this.#round) {
      found.used = this.#round;
      this.#used++;
    }
    return found.value;
  }

  /** Sets the value, used in this round. */
  set(key: K, value: V): void {
    const found = this.#entries.get(key);
    if (found === undefined) {
      this.#entries.set(key, { value, used: this.#round });
      this.#used++;
      return;
    }
    found.value = value;
    if (found.used !== this.#round) {
      found.used = this.#round;
      this.#used++;
    }
  }

  /** Drops every entry not used since the last sweep, and starts a new round. */
  sweep(): void {
    if (this.#used < this.#entries.size) for (const [key, e] of this.#entries) if (e.used !== this.#round) this.#entries.delete(key);
    this.#round++;
    this.#used = 0;
  }

  get size(): number {
    return this.#entries.size;
  }
}
