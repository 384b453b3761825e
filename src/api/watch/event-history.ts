/**
 * The watch history: a bounded ring of the latest events, appended once per generation swap, and the watchers
 * that hear each batch as it is appended. A watch from resourceVersion N replays the kept events after N; when
 * events after N have already left the ring (or came before a restart), N is too old and the watch ends with
 * 410 Expired, as the API server's watch cache does. Watchers only read what the swap produced.
 */
import type { WatchEvent } from './watch-event.ts';

export type HistoryListener = (events: readonly WatchEvent[], revision: number) => void;

export class EventHistory {
  readonly #capacity: number;
  readonly #ring: WatchEvent[] = [];
  /** Index of the oldest event in #ring once it is full. */
  #start = 0;
  /** Events at or below this version are no longer kept. */
  #floor: number;
  #revision: number;
  readonly #listeners = new Set<HistoryListener>();

  /** `revision`: where the history starts (the store's revision when the process started). */
  constructor(capacity: number, revision: number) {
    this.#capacity = Math.max(1, capacity);
    this.#floor = revision;
    this.#revision = revision;
  }

  get revision(): number {
    return this.#revision;
  }

  /** The oldest version a watch may start from. */
  get floor(): number {
    return this.#floor;
  }

  append(events: readonly WatchEvent[], revision: number): void {
    for (const e of events) {
      if (this.#ring.length < this.#capacity) this.#ring.push(e);
      else {
        this.#floor = this.#ring[this.#start]!.resourceVersion;
        this.#ring[this.#start] = e;
        this.#start = (this.#start + 1) % this.#capacity;
      }
    }
    this.#revision = revision;
    for (const listener of this.#listeners) listener(events, revision);
  }

  /** The kept events after `version`, oldest first; null when some of them are no longer kept. */
  since(version: number): WatchEvent[] | null {
    if (version < this.#floor) return null;
    const out: WatchEvent[] = [];
    const n = this.#ring.length;
    for (let i = 0; i < n; i++) {
      const e = this.#ring[(this.#start + i) % n]!;
      if (e.resourceVersion > version) out.push(e);
    }
    return out;
  }

  subscribe(listener: HistoryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get watchers(): number {
    return this.#listeners.size;
  }
}
