/**
 * The shared-mode counterpart of AddressKeeper (address-keeper.ts), for replicas sharing one allocation document in
 * etcd (`<prefix>/allocations`, etcd-allocation-store.ts).
 *
 * Why compare-and-swap on one document rather than one allocator elected with a lease: a claim is then a single
 * etcd transaction, so there is no half-done claim to clean up and no leader to elect, fail over or wait for. Every
 * save is computed from the exact revision it replaces and is refused if anything was written since, so no address
 * is ever handed to two Services: each replica compiles with the whole document as `previous` and reserves the
 * records of Services it does not have (foreignClaims 'reserve'), then merges its own records in (merge-claims.ts).
 * A replica that loses the race refreshes, recompiles from the newer document and tries again (claimUntilStable).
 *
 * Nothing is written when the merged document equals the stored one, so replicas that agree cause no etcd writes.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { AllocationState } from './allocation-state.ts';
import { AllocationConflictError } from './allocation-store.ts';
import type { EtcdAllocationStore } from './etcd-allocation-store.ts';
import { type ClaimContext, claimCollisions, mergeClaims, type ReadAllocation } from './merge-claims.ts';
import { API_HOLDER, EMPTY_SHARED_ALLOCATION, sameSharedAllocation, sharedState } from './shared-allocation.ts';

/** The first retry waits up to this long, each further one up to twice as long, never more than MAX_BACKOFF_MS. */
const BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 100;

/** The shared document's store: what SharedAddressKeeper needs of EtcdAllocationStore. */
export type SharedAllocationStore = Pick<EtcdAllocationStore, 'loadShared' | 'saveShared'>;

export type ClaimResult = { readonly claimed: true; readonly revision: number } | { readonly claimed: false };

/** A compilation whose allocation state can be claimed: a Snapshot (its addresses) or allocateAll's outcome. */
export type Claimable = { readonly addresses: { readonly state: AllocationState } } | { readonly state: AllocationState };

export class SharedAddressKeeper {
  readonly #store: SharedAllocationStore;
  #read: ReadAllocation = { document: EMPTY_SHARED_ALLOCATION, revision: 0 };
  #previous: AllocationState = sharedState(EMPTY_SHARED_ALLOCATION);

  constructor(store: SharedAllocationStore) {
    this.#store = store;
  }

  /** A keeper with the stored document already read; with a corrupt value, EtcdStateCorruptError (EW_STATE_CORRUPT). */
  static async load(store: SharedAllocationStore): Promise<SharedAddressKeeper> {
    const keeper = new SharedAddressKeeper(store);
    await keeper.refresh();
    return keeper;
  }

  /** What the next compile takes as `previous` (with foreignClaims 'reserve'): every replica's records. */
  get previous(): AllocationState {
    return this.#previous;
  }

  /** Reads the document again. */
  async refresh(): Promise<void> {
    const { document, revision } = await this.#store.loadShared();
    // The same revision keeps the same `previous` object, so the compile memo reuses the addresses it computed.
    if (revision !== 0 && revision === this.#read.revision) return;
    this.#take({ document, revision });
  }

  /**
   * Merges this replica's compiled state (compiled from `previous`) into the document read and saves it if the
   * document is still at that revision. On EW_ALLOCATION_CONFLICT nothing is written, the document is read again,
   * and `{ claimed: false }` tells the caller to compile again from the new `previous`. The same happens, without
   * trying to write, when the compiled state takes an address a record of another Service still holds (it was not
   * compiled from `previous` with foreignClaims 'reserve'; merge-claims.ts, claimCollisions).
   */
  async claim(compiled: AllocationState, context: ClaimContext): Promise<ClaimResult> {
    if (context.replica === API_HOLDER || context.replica === '') throw new TypeError(`"${context.replica}" cannot be a replica name`);
    const read = this.#read;
    const merged = mergeClaims(read, compiled, context);
    if (sameSharedAllocation(merged, read.document)) return { claimed: true, revision: read.revision };
    // A compile from an older document (or without reserving others' claims) could take an address someone holds:
    // never save that; compiling again from the document as it is now reserves them.
    if (claimCollisions(merged, compiled).length > 0) {
      await this.refresh();
      return { claimed: false };
    }
    try {
      const revision = await this.#store.saveShared(merged, read.revision);
      this.#take({ document: merged, revision });
      return { claimed: true, revision };
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EW_ALLOCATION_CONFLICT') throw error;
      await this.refresh();
      return { claimed: false };
    }
  }

  /**
   * Compiles from `previous`, claims, and on a conflict compiles again from the refreshed document, until a claim
   * holds; returns the compilation that was claimed. After `maxAttempts` lost races it throws the conflict
   * (AllocationConflictError, EW_ALLOCATION_CONFLICT); the caller keeps its last good snapshot and tries later.
   * `context` may be read off the compilation (the Services of the store it compiled).
   */
  async claimUntilStable<C extends Claimable>(
    compile: (previous: AllocationState) => C,
    context: ClaimContext | ((compiled: C) => ClaimContext),
    maxAttempts = 8,
  ): Promise<C> {
    for (let attempt = 1; ; attempt++) {
      const expected = this.#read.revision;
      const compiled = compile(this.#previous);
      const claimed = typeof context === 'function' ? context(compiled) : context;
      const result = await this.claim('addresses' in compiled ? compiled.addresses.state : compiled.state, claimed);
      if (result.claimed) return compiled;
      if (attempt >= maxAttempts) throw new AllocationConflictError(`allocation claim by replica ${claimed.replica}`, expected, this.#read.revision);
      // Replicas that keep claiming could otherwise starve a slower one forever: back off a random, growing while.
      await delay(Math.random() * Math.min(BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS));
    }
  }

  #take(read: ReadAllocation): void {
    this.#read = read;
    this.#previous = sharedState(read.document);
  }
}
