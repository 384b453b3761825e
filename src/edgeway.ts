/**
 * One edgeway process: load → validate → store → compile → serve, plus the admin listener. A generation is built by
 * generation/build-generation.ts, the same way at start and on reload; this class binds the listeners, swaps each
 * new generation in and holds the current one. The CLI's `serve` and `demo` commands and the tests drive this class;
 * it never calls process.exit itself.
 */
import { formatDiagnostic, type Diagnostic } from './config/diagnostic.ts';
import { ParseCache } from './config/parse-cache.ts';
import { AdminCertificateSource } from './admin/admin-certificate-source.ts';
import { AdminServer } from './admin/admin-server.ts';
import { AddressKeeper } from './allocation/address-keeper.ts';
import { FileAllocationStore } from './allocation/file-allocation-store.ts';
import { poolUsage } from './allocation/pool-usage.ts';
import { bearerMatches } from './admin/admin-token.ts';
import { reloadFailedEvents } from './api/events/generation-events.ts';
import { ObjectApi } from './api/server/object-api.ts';
import { ApiStorage } from './api/storage/api-storage.ts';
import { FileMetaStore } from './api/storage/file-meta-store.ts';
import type { LoadedObject } from './config/loaded-object.ts';
import { objectRef } from './k8s/types.ts';
import { compileSnapshot } from './snapshot/compile-snapshot.ts';
import { ObjectStore, storeKey } from './store/object-store.ts';
import { AppliedLayer } from './store/applied-layer.ts';
import { FileObjectSource } from './store/file-object-source.ts';
import type { WritableLayer } from './store/writable-layer.ts';
import type { SourceWatch } from './store/object-source.ts';
import { DnsServer } from './discovery/dns-server.ts';
import { ClusterWatch } from './reload/cluster-watch.ts';
import { DataPlane } from './dataplane/data-plane.ts';
import type { BoundAddress } from './dataplane/listeners/listener-set.ts';
import { bindServiceListeners } from './dataplane/listeners/bind-service-listeners.ts';
import { EdgewayError } from './edgeway-error.ts';
import { buildGeneration } from './generation/build-generation.ts';
import type { Generation } from './generation/generation.ts';
import { applyOverrides, type Overrides } from './generation/overrides.ts';
import { applyHeapGrowth } from './heap-growth.ts';
import { createLogger, type Logger } from './log.ts';
import { loadDefaultCertificate } from './tls/default-certificate.ts';
import type { TlsMaterial } from './tls/tls-material.ts';
import { EdgewayMetrics } from './exporter/edgeway-metrics.ts';
import { cpuMs, type BuildCost } from './reload/build-cost.ts';
import { Reloader, type Rejected, type ReloadOutcome, type ReloadTrigger } from './reload/reloader.ts';
import { CompileMemo } from './snapshot/compile-memo.ts';
import { upstreamStatus } from './dataplane/upstream/upstream-status.ts';
import { endpointHealth } from './dataplane/upstream/endpoint-health.ts';
import type { Snapshot } from './snapshot/snapshot.ts';
import { resolveWorkerCount } from './workers/worker-count.ts';
import { WorkerPool } from './workers/worker-pool.ts';
import { generationInputs } from './workers/generation-inputs.ts';
import { SharedState } from './shared/shared-state.ts';

export interface StartOptions {
  readonly configPaths: readonly string[];
  readonly overrides: Overrides;
  /** Where human-readable diagnostics go (stderr for the CLI). */
  readonly report: (line: string) => void;
  /**
   * Data-plane worker processes (docs/workers.md). Above 1 this process becomes the primary: it loads, allocates and
   * answers the admin API, and the workers serve; absent or 1, this process serves by itself.
   */
  readonly workers?: number | 'settings';
}

/** What the process keeps from one generation to the next, beside the generation itself. */
interface Keep {
  /** Objects written through the admin API: the state dir's file, read after the --config files, or etcd. */
  readonly layer: WritableLayer;
  /** What this replica shares with others in etcd (client, health, objects, claims); null on one machine. */
  readonly shared: SharedState | null;
  /** The --config files, with the applied layer's file read after them (one load, one validation). */
  readonly source: FileObjectSource;
  /** Allocation state I/O on one machine: a build compiles with its `previous`, a swap persists the result (shared: null, claims are the replica state's). */
  readonly addresses: AddressKeeper | null;
  /** Parses of the --config documents from the last load: a reload reparses only what changed. */
  readonly cache: ParseCache;
  /** What the last compilation can lend the next one (compile-memo.ts). */
  readonly memo: CompileMemo;
  /** The Kubernetes API's view of each generation, its object metadata and watch history. */
  readonly api: ApiStorage;
}

export class Edgeway {
  readonly logger: Logger;
  readonly #options: StartOptions;
  readonly #gateway: DataPlane;
  readonly #admin: AdminServer;
  readonly #reloader: Reloader<Generation>;
  readonly #metrics: EdgewayMetrics;
  readonly #keep: Keep;
  readonly #startedAt = new Date();
  #watcher: SourceWatch | null = null;
  /** The shared objects and the other replicas' files (etcd), when this replica shares state. */
  #sharedWatch: SourceWatch | null = null;
  /** The other clusters' files, watched like the main configuration (their paths follow the serving settings). */
  #clusterWatch: ClusterWatch | null = null;
  #dns: DnsServer | null = null;
  #dnsPort = 0;
  #ready = false;
  #draining = false;
  #adminPort = 0;
  /** The data-plane workers when there are any (worker-pool.ts); null when this process serves by itself. */
  #pool: WorkerPool | null = null;
  /**
   * The generation serving now, replaced whole and only once it is fully applied (data plane, Service listeners),
   * so every reader sees one generation; the next build starts from its store and settings. The data plane swaps to
   * a new snapshot a moment earlier, at the start of the apply: status reports a generation once it is served.
   */
  #current: Generation;

  private constructor(options: StartOptions, first: Generation, keep: Keep, logger: Logger, fallbackCertificate: TlsMaterial | null) {
    const snapshot = first.snapshot;
    this.logger = logger;
    this.#options = options;
    this.#current = first;
    this.#keep = keep;
    const shared = keep.shared?.health ?? null;
    this.#gateway = new DataPlane(snapshot, logger, fallbackCertificate);
    this.#reloader = new Reloader({
      current: () => this.#current.snapshot,
      build: (generation) => this.#build(generation),
      swap: (next) => this.#swap(next),
    });
    const gateway = this.#gateway;
    this.#metrics = new EdgewayMetrics({
      routeCells: gateway.routeCells,
      bound: () => gateway.current,
      pools: () => gateway.upstreams.stats(),
      reload: () => this.#reloader.status,
      certificates: () => this.#current.snapshot.tls.certificates.map((c) => ({ secret: c.secret, notAfter: new Date(c.notAfter) })),
      addressPools: () => {
        const { addresses } = this.#current.snapshot;
        return poolUsage(addresses.pools, addresses.state).map((u) => ({ pool: u.pool, size: Number(u.size), used: u.used }));
      },
      upstreams: () => upstreamStatus(gateway.current, gateway.upstream.checker),
      resilience: () => ({ retries: gateway.retryCounters.retries, budgetExhausted: gateway.retryCounters.budgetExhausted, tunnels: gateway.tunnels }),
      rejections: () => gateway.rejections,
      sharedState: { replica: () => snapshot.settings.replicaName, shared: () => shared },
    });
    this.#admin = new AdminServer(
      () => {
        const { snapshot, skipped, loadDiagnostics } = this.#current;
        // One machine: the state dir's layer reports its problems only here. With etcd the layer's are already among
        // each build's load diagnostics (shared/replica-state.ts); adding them again would list each one twice.
        const layer = keep.shared === null ? keep.layer.diagnostics : [];
        return {
          ready: this.#ready,
          draining: this.#draining,
          snapshot,
          bindDiagnostics: this.#gateway.current.diagnostics,
          loadDiagnostics: layer.length === 0 ? loadDiagnostics : [...layer, ...loadDiagnostics],
          startedAt: this.#startedAt,
          skippedObjects: skipped,
          upstreams: () => {
            // With workers the primary knows endpoints and active health; ejection and load are the workers' own.
            const own = upstreamStatus(this.#gateway.current, this.#gateway.upstream.checker);
            return this.#pool === null ? own : this.#pool.upstreams(own);
          },
          reload: this.#reloader.status,
          ...(this.#pool !== null && { workers: this.#pool.status }),
          replica: snapshot.settings.replicaName,
          shared,
        };
      },
      {
        reload: () => this.reload('api'),
        metrics: () => (this.#pool === null ? this.#metrics.scrape() : this.#pool.metrics(this.#metrics.registry)),
        // Without a token the admin listener is loopback-only, and a reload only re-reads the operator's own files.
        authorized: (req) => {
          const { token } = this.#current;
          return token === null || bearerMatches(req, token);
        },
        objects: new ObjectApi({
          storage: keep.api,
          layer: keep.layer,
          admit: (loaded) => this.#admit(loaded),
          authorized: (req) => {
            const { token } = this.#current;
            return token === null ? null : bearerMatches(req, token);
          },
          reload: () => this.reload('objects'),
        }).handle,
      },
      // Asked on each TLS connection: spec.admin.certificate's Secret, or the local CA's (admin-certificate-source.ts).
      new AdminCertificateSource(
        () => ({ settings: this.#current.snapshot.settings, store: this.#current.store }),
        (message) => logger.warn(message),
      ).current,
    );
  }

  /**
   * Builds the first generation (buildGeneration, as a reload does), then binds the admin listener and the
   * entrypoints. A configuration that cannot be used rejects with an EdgewayError before anything is bound
   * (EW_CONFIG_INVALID, EW_ADMIN_TOKEN_UNREADABLE, EW_ADMIN_NOT_LOOPBACK; EW_STATE_CORRUPT from the state file);
   * invalid single objects are reported and left out.
   */
  static async start(options: StartOptions): Promise<Edgeway> {
    const loadStarted = cpuMs();
    const cache = new ParseCache();
    const memo = new CompileMemo();
    // The applied layer lives in the state directory the settings name, so the files are read once to find it; the
    // build reads them again through the parse cache, which hands back every unchanged document as it was.
    let applied: AppliedLayer | undefined;
    const source = new FileObjectSource(options.configPaths, { cache, applied: () => applied });
    const first = await source.list();
    const firstSettings = applyOverrides(first.settings, options.overrides);
    // With etcd the API's objects and the allocations live there; the state dir's files for them are not read.
    const shared = firstSettings.etcd === null ? null : await SharedState.open(firstSettings, createLogger(firstSettings.logging.level));
    const replica = shared?.replica ?? null;
    // Until the Edgeway exists (its close() closes the shared state), a failed start closes it here.
    const failed = async (err: unknown): Promise<never> => {
      await shared?.close();
      throw err;
    };
    if (shared !== null)
      options.report(
        `edgeway: replica ${firstSettings.replicaName} shares state in etcd ${firstSettings.etcd!.servers.join(',')} under ${firstSettings.etcd!.prefix}`,
      );
    if (shared === null) {
      applied = new AppliedLayer(firstSettings.stateDir);
      await applied.load();
      for (const d of applied.diagnostics) options.report(formatDiagnostic(d));
    }
    const layer: WritableLayer = replica?.layer ?? applied!;
    // Typed so that the assignment in `allocations` below is not narrowed away.
    let addresses = null as AddressKeeper | null;
    const lookupMs = cpuMs() - loadStarted;
    const built = await buildGeneration({
      source,
      overrides: options.overrides,
      generation: 1,
      prior: null,
      memo,
      allocations: async (settings) =>
        replica === null ? (addresses = await AddressKeeper.load(new FileAllocationStore(settings.stateDir))).previous : replica.allocations(),
      ...(replica === null ? {} : { shared: replica }),
      loaded: (diagnostics) => {
        for (const d of diagnostics) options.report(formatDiagnostic(d));
      },
      report: options.report,
    }).catch(failed);
    if (!('snapshot' in built)) return failed(built);
    if (addresses === null && shared === null) throw new Error('the allocation state was not read'); // buildGeneration asks for it before compiling
    const { snapshot } = built;
    const settings = snapshot.settings;
    const logger = createLogger(settings.logging.level);
    applyHeapGrowth(settings.runtime.heapGrowthPercent);
    for (const d of snapshot.diagnostics) options.report(formatDiagnostic(d));
    // The generated default certificate is I/O (read, or create once into certificatesDir), so it happens here and
    // not in the pure compile step; without an HTTPS entrypoint no certificate is touched.
    let fallbackCertificate: TlsMaterial | null = null;
    if (settings.https !== null) {
      const generated = await loadDefaultCertificate({ dir: settings.tls.certificatesDir }).catch(failed);
      for (const w of generated.warnings) options.report(`edgeway: default certificate: ${w}`);
      if (generated.created)
        options.report(`edgeway: generated a self-signed default certificate in ${generated.certPath} (key ${generated.keyPath}, mode 0600)`);
      fallbackCertificate = generated.material;
    }
    const applyStarted = cpuMs();
    const api = await ApiStorage.open(new FileMetaStore(settings.stateDir), undefined, settings.replicaName, replica?.layer.revision).catch(failed);
    const edgeway = new Edgeway(options, built, { layer, shared, source, addresses, cache, memo, api }, logger, fallbackCertificate);
    // Workers only when asked for: `settings` (the CLI's serve) takes spec.runtime.workers, `auto` by default.
    const workers = options.workers === 'settings' ? resolveWorkerCount(settings.runtime.workers) : (options.workers ?? 1);
    if (workers > 1) edgeway.#pool = new WorkerPool(workers, logger, edgeway.#gateway.upstream.states);
    for (const d of edgeway.#gateway.current.diagnostics) options.report(formatDiagnostic(d));
    try {
      edgeway.#adminPort = await edgeway.#admin.listen(settings.admin);
      if (edgeway.#pool === null) await edgeway.#gateway.listen(settings);
      else await edgeway.#pool.apply(generationInputs(snapshot, built.store, built.clusters ?? []));
      const served = await edgeway.#persistAndBind(snapshot, options.report);
      edgeway.#current = { ...built, snapshot: served, cost: { ...built.cost, loadMs: lookupMs + built.cost.loadMs, applyMs: cpuMs() - applyStarted } };
      await edgeway.#advanceApi(edgeway.#current);
      if (settings.dns.address !== null) {
        edgeway.#dns = new DnsServer(() => {
          const { store, snapshot, clusters = [] } = edgeway.#current;
          return { store, snapshot, settings: snapshot.settings, clusters, health: () => endpointHealth(edgeway.#gateway.current) };
        });
        edgeway.#dnsPort = await edgeway.#dns.listen(settings.dns.address);
      }
      if (settings.reload.watch) {
        edgeway.#watcher = await source.watch(
          first.revision,
          () => void edgeway.reload('file'),
          (err) => logger.warn({ err }, 'watching the configuration failed; SIGHUP and POST /reload still work'),
        );
      }
      edgeway.#sharedWatch = (await replica?.watch(() => void edgeway.reload('shared'))) ?? null;
      edgeway.#clusterWatch = new ClusterWatch(
        () => void edgeway.reload('file'),
        (err) => logger.warn({ err }, "watching another cluster's files failed; SIGHUP and POST /reload still work"),
      );
      await edgeway.#clusterWatch.follow(settings);
    } catch (err) {
      await edgeway.close(0);
      throw err;
    }
    edgeway.#ready = true;
    logger.info(
      {
        generation: snapshot.generation,
        objects: snapshot.objectCount,
        skipped: built.skipped,
        ingresses: snapshot.ingresses.length,
        hosts: snapshot.routes.hostCount,
        backends: snapshot.backends.size,
        listeners: edgeway.addresses,
        admin: `${settings.admin.host}:${edgeway.#adminPort}`,
      },
      'edgeway ready',
    );
    options.report(
      `edgeway: loaded ${snapshot.objectCount} objects (${built.skipped} skipped as invalid), ` +
        `serving ${snapshot.ingresses.length} ingresses on ${edgeway.addresses.map((a) => `${a.name} ${a.host}:${a.port}`).join(', ') || 'no entrypoint'}; ` +
        `admin ${settings.admin.host}:${edgeway.#adminPort}`,
    );
    return edgeway;
  }

  get snapshot(): Snapshot {
    return this.#current.snapshot;
  }

  /**
   * Loads, validates and compiles the configuration beside the running one and swaps it in whole. Unreadable input
   * leaves the running snapshot serving; the outcome shows at `GET /config/status`.
   */
  async reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    // The reload's own CPU delays the event loop for a bounded time: not a reason to shed requests (overload-guard.ts).
    const ownWork = this.#gateway.overload.ownWork();
    const outcome = await this.#reloader.reload(trigger).finally(ownWork);
    if (outcome.refused !== undefined) {
      this.logger.info({ trigger, reason: outcome.refused }, 'reload not started');
    } else if (outcome.ok) {
      this.logger.info(
        {
          trigger,
          generation: outcome.generation,
          ms: Math.round(outcome.durationMs),
          problems: outcome.diagnostics.length,
          documents: this.#keep.cache.lastLoad,
          cpuMs: roundCost(this.#current.cost),
        },
        'configuration reloaded',
      );
    } else {
      const errors = outcome.diagnostics.map(formatDiagnostic);
      this.logger.error(
        { trigger, generation: outcome.generation, errors, reason: this.#reloader.status.lastError?.message },
        'reload rejected; the previous configuration keeps serving',
      );
      const failed = reloadFailedEvents(outcome.diagnostics, this.#reloader.status.lastError?.message);
      // Shared: the Events need a revision of their own, as the generation they are served with already used its.
      const syncRevision = this.#keep.shared === null ? undefined : await this.#keep.shared.replica.layer.sync();
      await this.#advanceApi({ ...this.#current, ...(syncRevision === undefined ? {} : { syncRevision }) }, failed);
    }
    return outcome;
  }

  /** CPU time the serving generation cost to load, compile and apply (see build-cost.ts). */
  get buildCost(): BuildCost {
    return this.#current.cost;
  }

  get reloadStatus(): Reloader<Generation>['status'] {
    return this.#reloader.status;
  }

  /** The reloader's build step: the same builder as the start, from the serving generation. */
  async #build(generation: number): Promise<Generation | Rejected> {
    const { source, addresses, memo } = this.#keep;
    const shared = this.#keep.shared?.replica ?? null;
    const built = await buildGeneration({
      source,
      overrides: this.#options.overrides,
      generation,
      prior: this.#current,
      memo,
      allocations: () => (shared === null ? Promise.resolve(addresses!.previous) : shared.allocations()),
      ...(shared === null ? {} : { shared }),
      report: (line) => this.logger.warn(line),
    });
    return 'snapshot' in built ? built : { rejected: built.message, diagnostics: built.diagnostics };
  }

  /** The reloader's swap step: listeners, data plane, allocation state and Service listeners, then `#current`. */
  async #swap(next: Generation): Promise<void> {
    const applyStarted = cpuMs();
    // With workers, they all serve the generation before it goes any further (two phases: a worker that cannot
    // compile it rejects the reload with nothing changed); this process's data plane only runs the health checks.
    if (this.#pool !== null) await this.#pool.apply(generationInputs(next.snapshot, next.store, next.clusters ?? []));
    // Listeners first: if a new address cannot be bound, nothing has changed yet and the reload fails whole.
    else
      await this.#gateway.reconcile(next.snapshot.settings).catch((err: NodeJS.ErrnoException) => {
        throw new EdgewayError('EW_RELOAD_LISTEN_FAILED', `an entrypoint cannot be bound (${err.code ?? err.message}); the old listeners keep serving`, {
          cause: err,
        });
      });
    this.#gateway.apply(next.snapshot);
    // Allocation state is persisted and the Service listeners follow; their bind failures are per Service.
    const served = await this.#persistAndBind(next.snapshot, (line) => this.logger.warn(line));
    this.logger.level = next.snapshot.settings.logging.level;
    applyHeapGrowth(next.snapshot.settings.runtime.heapGrowthPercent);
    this.#current = { ...next, snapshot: served, cost: { ...next.cost, applyMs: cpuMs() - applyStarted } };
    await this.#clusterWatch?.follow(served.settings);
    // After the data plane has swapped: the API's versions and watch events are computed once, here, off the hot path.
    await this.#advanceApi(this.#current);
  }

  /**
   * Advances the API's view to `generation`. If its metadata cannot be persisted the API keeps serving the previous
   * view (a version must be durable before it is shown); so it does, when replicas share state, for a generation
   * built while etcd did not answer (it has no revision to stamp with): the reload etcd's return triggers catches up.
   * The generation itself is served all the same.
   */
  async #advanceApi(generation: Generation, extra: Parameters<ApiStorage['advance']>[4] = []): Promise<void> {
    const { store, snapshot, loadDiagnostics, syncRevision } = generation;
    if (syncRevision === null) {
      this.logger.warn({ generation: snapshot.generation }, 'etcd did not answer: the API shows the previous generation until it does');
      return;
    }
    await this.#keep.api
      .advance(store, snapshot, loadDiagnostics, new Date(), extra, syncRevision === undefined ? undefined : { revision: syncRevision })
      .catch((err: Error) => this.logger.error({ err }, 'the API object metadata cannot be saved; the API shows the previous generation'));
  }

  /**
   * Admission of an API write: compiles the serving objects with `loaded` in place (allocation included, from the
   * serving allocation state, which is not changed) and returns the errors found on that object. It shares the
   * process's compile memo, whose entries are keyed by what they read, so the trial reuses what the serving
   * compile built and leaves the next reload's reuse intact but for what the trial changed.
   */
  #admit(loaded: LoadedObject): readonly Diagnostic[] {
    const { store, snapshot } = this.#current;
    const o = loaded.object;
    const key = storeKey(o.kind, o.metadata.namespace, o.metadata.name);
    const objects = [...store].filter((l) => storeKey(l.object.kind, l.object.metadata.namespace, l.object.metadata.name) !== key);
    objects.push(loaded);
    const ref = objectRef(o);
    const { shared, addresses } = this.#keep;
    const trial = compileSnapshot(
      new ObjectStore(objects),
      snapshot.settings,
      snapshot.generation + 1,
      shared === null ? addresses!.previous : shared.replica.previous,
      new Date(),
      [],
      this.#keep.memo,
      shared === null ? 'release' : 'reserve',
    );
    return trial.diagnostics.filter((d) => d.severity === 'error' && d.object === ref);
  }

  /** Persists the snapshot's allocations, then binds the listeners on them; the snapshot with bind failures recorded. */
  async #persistAndBind(snapshot: Snapshot, report: (line: string) => void): Promise<Snapshot> {
    // Shared allocations were claimed by the build, before anything was served.
    await this.#keep.addresses?.persist(snapshot.addresses.state);
    // The workers bind their Service listeners as they commit (worker-main.ts) and say which they could not.
    if (this.#pool !== null) {
      const failures = this.#pool.listenerFailures;
      return failures.size === 0 ? snapshot : { ...snapshot, listenerFailures: failures };
    }
    return bindServiceListeners(this.#gateway.listeners.services, snapshot, report);
  }

  get addresses(): readonly BoundAddress[] {
    return this.#pool?.addresses ?? this.#gateway.addresses;
  }

  /** Retry counts and open upgrade tunnels, for the admin API and tests. */
  get resilience(): { readonly retries: number; readonly budgetExhausted: number; readonly tunnels: number } {
    const c = this.#gateway.retryCounters;
    return { retries: c.retries, budgetExhausted: c.budgetExhausted, tunnels: this.#gateway.tunnels };
  }

  /** Request bodies and unread responses under the slow-client timeouts (tests, the slow-upload perf scenario). */
  get watchedClients(): number {
    return this.#gateway.clientWatch.size;
  }

  /** Requests in flight and waiting for a connection to one backend (`namespace/name:port`). */
  backendLoad(backendKey: string): { readonly active: number; readonly pending: number } | undefined {
    return this.#gateway.load(backendKey);
  }

  get adminPort(): number {
    return this.#adminPort;
  }

  /** The DNS server's port (UDP and TCP), 0 when it is off. */
  get dnsPort(): number {
    return this.#dnsPort;
  }

  /** Graceful stop: /readyz turns 503, in-flight requests get up to `drainMs`, then everything closes. */
  async close(drainMs: number): Promise<void> {
    this.#draining = true;
    this.#watcher?.close();
    this.#sharedWatch?.close();
    this.#clusterWatch?.close();
    // A reload under way finishes its swap first: its Service listeners are then among those closed below.
    await this.#reloader.stop();
    await this.#dns?.close();
    await this.#pool?.close(drainMs);
    await this.#gateway.close(drainMs);
    await this.#admin.close();
    await this.#keep.shared?.close();
    this.logger.flush();
  }
}

function roundCost(c: BuildCost): BuildCost {
  return { loadMs: Math.round(c.loadMs), compileMs: Math.round(c.compileMs), applyMs: Math.round(c.applyMs) };
}
