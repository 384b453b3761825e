/**
 * The allocation store of one machine: `allocations.json` in the state dir (state-file.ts has the format and the
 * atomic write). A save reads the revision on disk first and refuses when it is not the one the caller read, so a
 * state computed from stale records is never written over newer ones.
 *
 * Saves of one store are serialized, so the check and the write of one save never interleave with another's. Two
 * processes on one state dir could still interleave between check and rename; edgeway runs one primary per state
 * dir, and a store shared by several replicas (etcd) compares revisions inside its own transaction instead.
 */
import { mkdir } from 'node:fs/promises';
import type { AllocationState } from './allocation-state.ts';
import { AllocationConflictError, type AllocationStore, type StoredAllocation } from './allocation-store.ts';
import { readAllocationFile, saveAllocationState, stateFilePath } from './state-file.ts';

export class FileAllocationStore implements AllocationStore {
  readonly #stateDir: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(stateDir: string) {
    this.#stateDir = stateDir;
  }

  /** A corrupt or unreadable file rejects with StateCorruptError (EW_STATE_CORRUPT). */
  load(): Promise<StoredAllocation> {
    return readAllocationFile(this.#stateDir);
  }

  save(state: AllocationState, expectedRevision: number): Promise<number> {
    const run = this.#queue.then(async () => {
      const stored = await readAllocationFile(this.#stateDir);
      if (stored.revision !== expectedRevision) throw new AllocationConflictError(stateFilePath(this.#stateDir), expectedRevision, stored.revision);
      await mkdir(this.#stateDir, { recursive: true });
      await saveAllocationState(this.#stateDir, state, expectedRevision + 1);
      return expectedRevision + 1;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
