/**
 * The allocation state around compilation, for the process (edgeway.ts): load the recorded state at start, and
 * persist a compiled snapshot's state when it changed, naming the revision it was computed from. Compilation itself
 * stays pure (compile-snapshot.ts takes the previous state as a value), where the state is kept is the store's
 * business (allocation-store.ts), and the listeners on the addresses are the data plane's
 * (dataplane/listeners/bind-service-listeners.ts): nothing here opens a socket.
 */
import type { AllocationState } from './allocation-state.ts';
import type { AllocationStore } from './allocation-store.ts';

export class AddressKeeper {
  readonly #store: AllocationStore;
  #saved: AllocationState;
  #savedText: string;
  /** The store's revision of #saved: the next save expects it. */
  #revision: number;
  /** The last state persist() was given: the compile memo hands the same object back while nothing changed. */
  #checked: AllocationState | null = null;

  private constructor(store: AllocationStore, state: AllocationState, revision: number) {
    this.#store = store;
    this.#saved = state;
    this.#savedText = JSON.stringify(state);
    this.#revision = revision;
  }

  /** Reads the stored state; with the state dir, a corrupt or unreadable file throws StateCorruptError (EW_STATE_CORRUPT). */
  static async load(store: AllocationStore): Promise<AddressKeeper> {
    const { state, revision } = await store.load();
    return new AddressKeeper(store, state, revision);
  }

  /** What the next compile honours: the last state written (or loaded). */
  get previous(): AllocationState {
    return this.#saved;
  }

  /**
   * Saves `state` when it differs from the last one saved. When the store changed meanwhile (EW_ALLOCATION_CONFLICT)
   * nothing is written, `previous` becomes the stored state so the next compile recomputes from it, and the
   * conflict is thrown on.
   */
  async persist(state: AllocationState): Promise<boolean> {
    // Allocation state is immutable: the very object checked last time needs no serialising to compare.
    if (state === this.#checked || state === this.#saved) return false;
    const text = JSON.stringify(state);
    if (text === this.#savedText) {
      this.#checked = state;
      return false;
    }
    try {
      this.#revision = await this.#store.save(state, this.#revision);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EW_ALLOCATION_CONFLICT') this.#take(await this.#store.load());
      throw error;
    }
    this.#saved = state;
    this.#savedText = text;
    return true;
  }

  #take(stored: { readonly state: AllocationState; readonly revision: number }): void {
    this.#saved = stored.state;
    this.#savedText = JSON.stringify(stored.state);
    this.#revision = stored.revision;
    this.#checked = null;
  }
}
