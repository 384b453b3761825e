/**
 * What compileSnapshot keeps from one compilation to the next, so that a reload costs in proportion to what changed
 * rather than to the size of the configuration. Every entry is keyed by the identities of its inputs: the settings
 * object (edgeway.ts keeps it the same object while the settings are equal), the previous allocation state, and
 * every store read the step made (store/recording-reader.ts), re-checked against the new store before reuse. A
 * changed input of any kind means the step runs again; the result is always the one a compilation from scratch
 * gives (test/unit/reload-incremental.test.ts compares them).
 *
 * - addresses: the whole address compilation (allocations, listeners, the Service-port backends).
 * - backends: each Ingress backend (resolution, endpoint extras, policy, limits, TLS, NodePort fan-out), also keyed
 *   by the compiled addresses object it fanned out over. Not memoised with clusters configured (each reload reads
 *   the cluster manifests afresh).
 * - routes: per Ingress and per host (routing/routes-memo.ts).
 * - tls: the last compilation's TLS part, lent to the next so a Secret broken since keeps its last good certificate
 *   (compile-tls.ts). Unlike the entries above this changes the result: a compilation from scratch has nothing to
 *   keep.
 * - the backends map itself: when a compilation gives the very same Backend objects under the same keys in the same
 *   order, the last map is handed out again, so binding (dataplane/bound-snapshot.ts) and the gateway can tell by
 *   one identity check that no backend changed.
 *
 * Held by the running process (one per Edgeway); bounded by the configuration, since each compilation keeps only
 * what it used.
 */
import type { AllocationState } from '../allocation/allocation-state.ts';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { Settings } from '../config/settings.ts';
import { RoutesMemo } from '../routing/routes-memo.ts';
import { UsedMap } from '../routing/used-map.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { RecordingReader, unchangedIn, type Reads } from '../store/recording-reader.ts';
import type { CompiledAddresses } from './addresses.ts';
import type { AddressCompilation } from './compile-addresses.ts';
import type { SnapshotTls } from './compile-tls.ts';
import type { Backend } from './snapshot.ts';
import type { ForeignClaims } from '../allocation/allocate-services.ts';

interface AddressEntry {
  readonly settings: Settings;
  readonly previous: AllocationState;
  readonly foreignClaims: ForeignClaims;
  readonly reads: Reads;
  /** The last store the reads were checked in (or made in): see unchangedIn. */
  at: ObjectStore;
  readonly result: AddressCompilation;
}

export interface CompiledBackend {
  readonly backend: Backend;
  readonly diagnostics: readonly Diagnostic[];
}

interface BackendEntry {
  readonly settings: Settings;
  readonly addresses: CompiledAddresses;
  readonly reads: Reads;
  at: ObjectStore;
  readonly compiled: CompiledBackend;
}

export class CompileMemo {
  readonly routes = new RoutesMemo();
  #addresses: AddressEntry | undefined;
  #backends = new UsedMap<string, BackendEntry>();
  #lastBackends: ReadonlyMap<string, Backend> | undefined;
  /** The last compilation's TLS part (see the module comment). */
  lastTls: SnapshotTls | undefined;
  /** Steps run anew by the last compilation (tests, the cost tool). */
  recompiled = { addresses: false, backends: 0 };

  addresses(
    store: ObjectStore,
    settings: Settings,
    previous: AllocationState,
    foreignClaims: ForeignClaims,
    compile: (reader: RecordingReader) => AddressCompilation,
  ): AddressCompilation {
    const kept = this.#addresses;
    // The state this compilation produced is as good a previous state as the one it started from: allocation
    // converges (given its own result it allocates the same again), and the process passes that result back.
    if (
      kept !== undefined &&
      kept.settings === settings &&
      kept.foreignClaims === foreignClaims &&
      (kept.previous === previous || kept.result.addresses.state === previous) &&
      unchangedIn(kept.reads, store, kept.at)
    ) {
      kept.at = store;
      this.recompiled.addresses = false;
      return kept.result;
    }
    const reader = new RecordingReader(store);
    const result = compile(reader);
    this.#addresses = { settings, previous, foreignClaims, reads: reader.reads, at: store, result };
    this.recompiled.addresses = true;
    return result;
  }

  /** The memoised backend when its inputs are unchanged (callers try this first: no compile closure per backend). */
  keptBackend(key: string, store: ObjectStore, settings: Settings, addresses: CompiledAddresses): CompiledBackend | undefined {
    const kept = this.#backends.get(key);
    if (kept === undefined || kept.settings !== settings || kept.addresses !== addresses || !unchangedIn(kept.reads, store, kept.at)) return undefined;
    kept.at = store;
    return kept.compiled;
  }

  backend(
    key: string,
    store: ObjectStore,
    settings: Settings,
    addresses: CompiledAddresses,
    compile: (reader: RecordingReader) => CompiledBackend,
  ): CompiledBackend {
    const kept = this.keptBackend(key, store, settings, addresses);
    if (kept !== undefined) return kept;
    const reader = new RecordingReader(store);
    const compiled = compile(reader);
    this.#backends.set(key, { settings, addresses, reads: reader.reads, at: store, compiled });
    this.recompiled.backends++;
    return compiled;
  }

  /** `backends`, or the last compilation's map when it holds the very same entries in the same order. */
  sameBackends(backends: ReadonlyMap<string, Backend>): ReadonlyMap<string, Backend> {
    const last = this.#lastBackends;
    if (last !== undefined && sameEntries(last, backends)) return last;
    this.#lastBackends = backends;
    return backends;
  }

  /** Ends a compilation: the backends it used are kept for the next, the rest dropped. */
  settle(): void {
    this.#backends.sweep();
  }

  /** Resets the counters at the start of a compilation. */
  begin(): void {
    this.recompiled = { addresses: false, backends: 0 };
    this.routes.recompiled = { ingresses: 0, tables: 0 };
  }
}

function sameEntries<K, V>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>): boolean {
  if (a.size !== b.size) return false;
  const other = b.entries();
  for (const [key, value] of a) {
    const next = other.next();
    if (next.done === true || next.value[0] !== key || next.value[1] !== value) return false;
  }
  return true;
}
