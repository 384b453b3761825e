/**
 * Where the allocation state lives between runs, behind one small interface so the state dir (one machine) and a
 * shared store (etcd, several replicas) can be swapped. Every save names the revision it read: when the stored
 * revision has moved on, someone else allocated meanwhile, the save fails with a conflict and the caller loads
 * again and recomputes. The allocators themselves never see this; they stay pure over maps.
 */
import type { AllocationState } from './allocation-state.ts';

export interface StoredAllocation {
  readonly state: AllocationState;
  /**
   * 0 for a store that holds nothing yet; each successful save makes it higher (one higher in the state dir; etcd's
   * mod revision of the key in etcd).
   */
  readonly revision: number;
}

export interface AllocationStore {
  /** The stored state and its revision; the empty state at revision 0 when nothing is stored. */
  load(): Promise<StoredAllocation>;
  /**
   * Stores `state` if the stored revision is still `expectedRevision`; resolves with the new revision. Rejects with
   * an AllocationConflictError (code EW_ALLOCATION_CONFLICT) when it is not, storing nothing.
   */
  save(state: AllocationState, expectedRevision: number): Promise<number>;
}

/** A save whose expected revision is not the stored one; callers match on `code`, then load and recompute. */
export class AllocationConflictError extends Error {
  readonly code = 'EW_ALLOCATION_CONFLICT';
  readonly expected: number;
  readonly actual: number;

  constructor(where: string, expected: number, actual: number) {
    super(`${where}: the allocation state is at revision ${actual}, not ${expected} as read: it changed meanwhile; load it again and recompute`);
    this.name = 'AllocationConflictError';
    this.expected = expected;
    this.actual = actual;
  }
}
