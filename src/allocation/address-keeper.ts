/**
 * The I/O around address allocation, for the process (edgeway.ts): load the recorded state at start, persist a
 * compiled snapshot's state when it changed, and have the data plane serve the snapshot's listeners. Compilation
 * itself stays pure (compile-snapshot.ts takes the previous state as a value); this is the only place allocation
 * touches the disk.
 */
import { mkdir } from 'node:fs/promises';
import type { DataPlane } from '../dataplane/data-plane.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { AllocationState } from './allocation-state.ts';
import { loadAllocationState, saveAllocationState } from './state-file.ts';

export class AddressKeeper {
  readonly #stateDir: string;
  #saved: AllocationState;
  #savedText: string;
  /** The last state persist() was given: the compile memo hands the same object back while nothing changed. */
  #checked: AllocationState | null = null;

  private constructor(stateDir: string, state: AllocationState) {
    this.#stateDir = stateDir;
    this.#saved = state;
    this.#savedText = JSON.stringify(state);
  }

  /** Reads the state file; a corrupt or unreadable one throws StateCorruptError (EW_STATE_CORRUPT) and nothing starts. */
  static async load(stateDir: string): Promise<AddressKeeper> {
    return new AddressKeeper(stateDir, await loadAllocationState(stateDir));
  }

  /** What the next compile honours: the last state written (or loaded). */
  get previous(): AllocationState {
    return this.#saved;
  }

  /** Writes the snapshot's allocation state atomically when it differs from the last one written. */
  async persist(snapshot: Snapshot): Promise<boolean> {
    const state = snapshot.addresses.state;
    // Allocation state is immutable: the very object checked last time needs no serialising to compare.
    if (state === this.#checked || state === this.#saved) return false;
    const text = JSON.stringify(state);
    if (text === this.#savedText) {
      this.#checked = state;
      return false;
    }
    await mkdir(this.#stateDir, { recursive: true });
    await saveAllocationState(this.#stateDir, state);
    this.#saved = state;
    this.#savedText = text;
    return true;
  }

  /**
   * Persists, then reconciles the listeners on the allocated addresses; each listener that cannot be bound is
   * reported as a line. Returns the snapshot with those listeners recorded (a new object; the compiled one is not
   * changed), for status to show.
   */
  async apply(gateway: DataPlane, snapshot: Snapshot, report: (line: string) => void = () => undefined): Promise<Snapshot> {
    await this.persist(snapshot);
    const result = await gateway.serviceListeners.reconcile(snapshot.addresses.listeners, snapshot.settings);
    for (const [service, failures] of result.failures) {
      for (const f of failures) report(`edgeway: Service ${service}: ${f.message} (EW_LISTENER_BIND_FAILED; the rest is served)`);
    }
    return result.failures.size === 0 ? snapshot : { ...snapshot, listenerFailures: result.failures };
  }
}
