/**
 * Where the allocation state lives between runs on one machine (the state dir: file-allocation-store.ts), behind
 * one small interface. Every save names the revision it read: when the stored revision has moved on, someone else
 * allocated meanwhile, the save fails with a conflict and the caller loads again and recomputes. The allocators
 * themselves never see this; they stay pure over maps. Replicas share a document with holders instead, under the
 * same compare-and-swap rule and conflict error (etcd-allocation-store.ts, shared-address-keeper.ts).
 */
import type { AllocationState } from './allocation-state.ts';

export interface StoredAllocation {
  readonly state: AllocationState;
  /** 0 for a store that holds nothing yet; each successful save makes it one higher. */
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
