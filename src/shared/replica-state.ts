/**
 * What one replica shares with the others through etcd, behind the build's SharedBuild seam
 * (generation/build-generation.ts): the objects written through the API (store/etcd-object-layer.ts), the allocation
 * claims (allocation/shared-address-keeper.ts) and the fingerprints of its files (replica-files.ts). The process
 * (edgeway.ts) creates it when etcd is configured; on one machine none of this exists.
 *
 * A build here: sync with etcd (a revision for the API, every write before it listed), add the shared objects after
 * the file objects (a file wins over an API object with the same identity on this replica, with a warning), compare
 * the files with the other replicas', compile, and claim the allocations before anything is served. When etcd does not
 * answer, the build goes on from what the replica last saw: existing routes keep serving and files still reload; only
 * a generation that needs new addresses is refused until etcd is back, since an address cannot be claimed then.
 */
import type { Etcd3 } from 'etcd3';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { AllocationState } from '../allocation/allocation-state.ts';
import { EtcdAllocationStore } from '../allocation/etcd-allocation-store.ts';
import { serviceOrigins } from '../allocation/merge-claims.ts';
import { SharedAddressKeeper } from '../allocation/shared-address-keeper.ts';
import { EdgewayError } from '../edgeway-error.ts';
import type { Compiled, SharedBuild } from '../generation/build-generation.ts';
import type { Service } from '../k8s/types.ts';
import { objectRef } from '../k8s/types.ts';
import { EtcdObjectLayer } from '../store/etcd-object-layer.ts';
import type { SourceWatch } from '../store/object-source.ts';
import { storeKey } from '../store/object-store.ts';
import { decodePeerFiles, fileDisagreements, fileFingerprints, publishedFiles, type FileFingerprints } from './replica-files.ts';

export interface ReplicaOptions {
  readonly client: Etcd3;
  readonly prefix: string;
  readonly replica: string;
  /** Hears each change of etcd's reachability as the watch and the writes see it. */
  readonly reachability?: (reachable: boolean, error?: Error) => void;
}

export class ReplicaState implements SharedBuild {
  readonly layer: EtcdObjectLayer;
  readonly #replica: string;
  readonly #keeper: SharedAddressKeeper;
  /** The other replicas' published files, kept current by the layer's watch. */
  readonly #peers: ReadonlyMap<string, FileFingerprints>;
  /** Why a peer's published files cannot be read, by replica: reported with every build until the value is fixed. */
  readonly #unreadablePeers: ReadonlyMap<string, Diagnostic>;
  #published = '';
  /** The revision of the listing the last build used: every API write up to it was seen (claims use it). */
  #listedRevision = 0;

  private constructor(
    options: ReplicaOptions,
    layer: EtcdObjectLayer,
    keeper: SharedAddressKeeper,
    peers: ReadonlyMap<string, FileFingerprints>,
    unreadablePeers: ReadonlyMap<string, Diagnostic>,
  ) {
    this.#peers = peers;
    this.#unreadablePeers = unreadablePeers;
    this.#replica = options.replica;
    this.layer = layer;
    this.#keeper = keeper;
  }

  /** Lists the shared objects and reads the allocation document; rejects (EW_SHARED_STATE_UNREACHABLE) without etcd. */
  static async open(options: ReplicaOptions): Promise<ReplicaState> {
    const peers = new Map<string, FileFingerprints>();
    const unreadable = new Map<string, Diagnostic>();
    const layer = new EtcdObjectLayer(options.client, {
      prefix: options.prefix,
      replica: options.replica,
      ...(options.reachability === undefined ? {} : { reachability: options.reachability }),
      peersReset: () => {
        peers.clear();
        unreadable.clear();
      },
      peerFiles: (replica, value, key) => {
        peers.delete(replica);
        unreadable.delete(replica);
        if (value === null) return;
        const decoded = decodePeerFiles(replica, key, value);
        if ('problem' in decoded) unreadable.set(replica, decoded.problem);
        else peers.set(replica, decoded.fingerprints);
      },
    });
    try {
      await layer.start();
      const keeper = await SharedAddressKeeper.load(new EtcdAllocationStore(options.client, options.prefix));
      return new ReplicaState(options, layer, keeper, peers, unreadable);
    } catch (error) {
      await layer.close();
      if ((error as { code?: unknown }).code === 'EW_STATE_CORRUPT') throw error;
      throw new EdgewayError('EW_SHARED_STATE_UNREACHABLE', `etcd cannot be reached (${(error as Error).message}); a replica needs it to start`, {
        cause: error,
      });
    }
  }

  /** Calls `onChange` whenever the shared objects or another replica's files change. */
  watch(onChange: () => void): Promise<SourceWatch> {
    // From the revision the last build listed: a write that arrived since (during the start) is reported at once.
    return this.layer.watch(this.#listedRevision, onChange);
  }

  /** Every replica's claims as last read: what an API write's admission compiles against. */
  get previous(): AllocationState {
    return this.#keeper.previous;
  }

  /** The allocation state the next compile honours: every replica's claims, read afresh when etcd answers. */
  async allocations(): Promise<AllocationState> {
    await this.#keeper.refresh().catch((error: { code?: unknown }) => {
      if (error.code === 'EW_STATE_CORRUPT') throw error;
    });
    return this.#keeper.previous;
  }

  async objects(
    fileObjects: readonly LoadedObject[],
  ): Promise<{ objects: readonly LoadedObject[]; diagnostics: readonly Diagnostic[]; syncRevision: number | null }> {
    const syncRevision = await this.layer.sync();
    const listing = await this.layer.list();
    this.#listedRevision = listing.revision;
    const fromFiles = new Map<string, LoadedObject>();
    for (const l of fileObjects) fromFiles.set(storeKey(l.object.kind, l.object.metadata.namespace, l.object.metadata.name), l);
    const diagnostics: Diagnostic[] = [...this.layer.diagnostics];
    const objects = [...fileObjects];
    for (const l of listing.objects) {
      const o = l.object;
      const file = fromFiles.get(storeKey(o.kind, o.metadata.namespace, o.metadata.name));
      if (file === undefined) {
        objects.push(l);
        continue;
      }
      const at = file.origin.kind === 'file' ? `${file.origin.file}:${file.origin.line}` : 'a file';
      diagnostics.push({
        severity: 'warning',
        code: 'EW_OBJECT_SHADOWED',
        object: objectRef(o),
        position: l.position,
        message: `this replica's configuration file defines the same object (${at}): the file's is served here, the one written through the API on replicas without it`,
      });
    }
    const own = fileFingerprints(fileObjects);
    diagnostics.push(...this.#unreadablePeers.values(), ...fileDisagreements(fileObjects, own, this.#peers));
    const text = publishedFiles(own);
    if (text !== this.#published && syncRevision !== null) {
      // In the background, the build does not wait for it: a failed publish is retried by the next build.
      void this.layer.publish('files', text).then(
        () => (this.#published = text),
        () => undefined,
      );
    }
    return { objects, diagnostics, syncRevision };
  }

  async compileClaimed(compile: (previous: AllocationState) => Compiled): Promise<Compiled> {
    const apiSeenRevision = this.#listedRevision;
    try {
      return await this.#keeper.claimUntilStable(
        (previous) => {
          const compiled = compile(previous);
          return { ...compiled, addresses: compiled.snapshot.addresses };
        },
        (c) => ({ replica: this.#replica, origins: serviceOrigins(c.store.list<Service>('Service')), apiSeenRevision }),
      );
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EW_STATE_CORRUPT' || code === 'EW_ALLOCATION_CONFLICT') throw error;
      throw new EdgewayError(
        'EW_SHARED_STATE_UNREACHABLE',
        `etcd cannot be reached, so the new addresses of this generation cannot be claimed (${(error as Error).message}); the running generation keeps serving and the change applies once etcd is back`,
        { cause: error },
      );
    }
  }

  /** Stops the watch; the client is its owner's to close (shared-state.ts). */
  async close(): Promise<void> {
    await this.layer.close();
  }
}
