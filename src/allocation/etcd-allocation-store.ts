/**
 * The allocation document shared by several edgeway replicas: JSON under one etcd key, `<prefix>/allocations`, with
 * every Service's addresses and who holds them (shared-allocation.ts, merge-claims.ts); SharedAddressKeeper reads
 * and claims through it. Its revision is etcd's mod revision of that key (0 while the key does not exist), so a
 * revision read by one replica is comparable by every other without a counter of our own.
 *
 * A save is one etcd transaction: if the key's mod revision is still the one read, put the new document; otherwise
 * read the key, to report the revision it moved to. The compare and the write happen inside etcd, so two replicas
 * saving from the same revision cannot both win, whatever process or machine they run in. Unlike the file store, the
 * new revision is not `expected + 1` but etcd's revision of the put, which also counts writes to other keys.
 *
 * The client is passed in rather than created here: the caller owns its hosts, TLS and lifetime (and closes it).
 */
import type { Etcd3 } from 'etcd3';
import { AllocationConflictError } from './allocation-store.ts';
import { EMPTY_SHARED_ALLOCATION, parseSharedAllocation, type SharedAllocation } from './shared-allocation.ts';

/** The shared document and etcd's mod revision of its key (0: no key yet). */
export interface StoredSharedAllocation {
  readonly document: SharedAllocation;
  readonly revision: number;
}

/** The value under the key is not a valid allocation state; callers match on `code`. */
export class EtcdStateCorruptError extends Error {
  readonly code = 'EW_STATE_CORRUPT';
  readonly key: string;

  constructor(key: string, problem: string, options?: { cause?: unknown }) {
    super(
      `etcd key ${key}: the allocation state ${problem}. edgeway will not start over on its own, because that could ` +
        'move addresses people rely on to other Services. To start with fresh allocations, delete the key.',
      options,
    );
    this.name = 'EtcdStateCorruptError';
    this.key = key;
  }
}

export class EtcdAllocationStore {
  readonly #client: Etcd3;
  readonly #key: string;

  /** `prefix` is the replicas' shared namespace, e.g. `/edgeway`; the state lives at `<prefix>/allocations`. */
  constructor(client: Etcd3, prefix: string) {
    this.#client = client;
    this.#key = `${prefix.replace(/\/+$/, '')}/allocations`;
  }

  /** The key this store reads and writes. */
  get key(): string {
    return this.#key;
  }

  /** The shared document with its holders, and its revision; the empty document at revision 0 when none is stored. */
  async loadShared(): Promise<StoredSharedAllocation> {
    const response = await this.#client.get(this.#key).exec();
    const kv = response.kvs[0];
    if (kv === undefined) return { document: EMPTY_SHARED_ALLOCATION, revision: 0 };
    return { document: this.#parse(kv.value.toString('utf8')), revision: Number(kv.mod_revision) };
  }

  /**
   * Stores the document if the key's mod revision is still `expectedRevision`; resolves with the new revision.
   * Rejects with an AllocationConflictError (EW_ALLOCATION_CONFLICT), storing nothing, when the key moved on.
   */
  async saveShared(document: SharedAllocation, expectedRevision: number): Promise<number> {
    const value = JSON.stringify({ version: document.version, services: document.services, holders: document.holders });
    const result = await this.#client
      .if(this.#key, 'Mod', '==', expectedRevision)
      .then(this.#client.put(this.#key).value(value))
      .else(this.#client.get(this.#key))
      .commit();
    if (result.succeeded) return Number(result.header.revision);
    const current = result.responses[0]?.response_range?.kvs[0];
    throw new AllocationConflictError(`etcd key ${this.#key}`, expectedRevision, current === undefined ? 0 : Number(current.mod_revision));
  }

  #parse(text: string): SharedAllocation {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new EtcdStateCorruptError(this.#key, `is not valid JSON (${(error as Error).message})`, { cause: error });
    }
    const parsed = parseSharedAllocation(document);
    if (typeof parsed === 'string') throw new EtcdStateCorruptError(this.#key, parsed);
    return parsed;
  }
}
