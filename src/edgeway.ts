/**
 * One edgeway process: load → validate → store → compile → serve, plus the admin listener. The CLI's `serve` and
 * `demo` commands and the tests drive this class; it never calls process.exit itself.
 */
import { formatDiagnostic, type Diagnostic } from './config/diagnostic.ts';
import { loadConfig, type ConfigLoad } from './config/load-config.ts';
import { ParseCache } from './config/parse-cache.ts';
import type { HostPort, Settings } from './config/settings.ts';
import { AdminServer } from './admin/admin-server.ts';
import { AddressKeeper } from './allocation/address-keeper.ts';
import type { AllocationState } from './allocation/allocation-state.ts';
import { poolUsage } from './allocation/pool-usage.ts';
import { bearerMatches, isLoopback, resolveAdminToken } from './admin/admin-token.ts';
import { ObjectApi } from './admin/api/object-api.ts';
import { AppliedLayer } from './store/applied-layer.ts';
import { DnsServer } from './discovery/dns-server.ts';
import { DataPlane, type BoundAddress } from './dataplane/data-plane.ts';
import { applyHeapGrowth } from './heap-growth.ts';
import { createLogger, type Logger } from './log.ts';
import { loadDefaultCertificate } from './tls/default-certificate.ts';
import type { TlsMaterial } from './tls/tls-material.ts';
import { EdgewayMetrics } from './metrics/edgeway-metrics.ts';
import { ConfigWatcher } from './reload/config-watcher.ts';
import { cpuMs, type BuildCost } from './reload/build-cost.ts';
import { Reloader, type Rejected, type ReloadOutcome, type ReloadTrigger } from './reload/reloader.ts';
import { compileSnapshot, type ClusterStore } from './snapshot/compile-snapshot.ts';
import { CompileMemo } from './snapshot/compile-memo.ts';
import { sameValue } from './config/same-value.ts';
import { upstreamStatus } from './dataplane/upstream/upstream-status.ts';
import type { Snapshot } from './snapshot/snapshot.ts';
import { ObjectStore } from './store/object-store.ts';

/** Command-line values that win over the settings document. */
export interface Overrides {
  readonly http?: HostPort;
  readonly https?: HostPort;
  readonly admin?: HostPort;
  readonly stateDir?: string;
  readonly logLevel?: Settings['logging']['level'];
  readonly drainTimeoutMs?: number;
}

export interface StartOptions {
  readonly configPaths: readonly string[];
  readonly overrides: Overrides;
  /** Where human-readable diagnostics go (stderr for the CLI). */
  readonly report: (line: string) => void;
}

export class ConfigError extends Error {
  readonly code = 'EW_CONFIG_INVALID';
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(`the configuration cannot be used:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
    this.diagnostics = diagnostics;
  }
}

export class Edgeway {
  readonly logger: Logger;
  readonly #options: StartOptions;
  readonly #gateway: DataPlane;
  readonly #admin: AdminServer;
  readonly #reloader: Reloader<Built>;
  readonly #metrics: EdgewayMetrics;
  readonly #startedAt = new Date();
  #watcher: ConfigWatcher | null = null;
  #dns: DnsServer | null = null;
  #dnsPort = 0;
  #snapshot: Snapshot;
  #store: ObjectStore;
  #skipped: number;
  #token: string | null;
  readonly #layer: AppliedLayer;
  #ready = false;
  #draining = false;
  #adminPort = 0;
  /** Allocation state I/O; a reload compiles with `previous` and hands the snapshot to `apply`. */
  #addressKeeper: AddressKeeper | null = null;
  /** Parses of the --config documents from the last load: a reload reparses only what changed. */
  #parseCache = new ParseCache();
  /** What the last compilation can lend the next one (compile-memo.ts). */
  #memo = new CompileMemo();
  /** The generation serving now: the next build starts from its store and settings. */
  #built: Built;
  /** CPU time of the generation serving now, by phase (the start's, then each successful reload's). */
  #cost: BuildCost = { loadMs: 0, compileMs: 0, applyMs: 0 };

  private constructor(options: StartOptions, built: Built, layer: AppliedLayer, logger: Logger, fallbackCertificate: TlsMaterial | null) {
    const snapshot = built.snapshot;
    this.logger = logger;
    this.#options = options;
    this.#snapshot = snapshot;
    this.#store = built.store;
    this.#built = built;
    this.#skipped = built.skipped;
    this.#token = built.token;
    this.#layer = layer;
    this.#gateway = new DataPlane(snapshot, logger, fallbackCertificate);
    this.#reloader = new Reloader({
      current: () => this.#snapshot,
      build: (generation) => this.#build(generation),
      swap: (next) => this.#swap(next),
    });
    const gateway = this.#gateway;
    this.#metrics = new EdgewayMetrics({
      routeCells: gateway.routeCells,
      bound: () => gateway.current,
      pools: () => gateway.upstreams.stats(),
      reload: () => this.#reloader.status,
      certificates: () => this.#snapshot.tls.certificates.map((c) => ({ secret: c.secret, notAfter: new Date(c.notAfter) })),
      addressPools: () => poolUsage(this.#snapshot.addresses.pools, this.#snapshot.addresses.state).map((u) => ({ pool: u.pool, size: Number(u.size), used: u.used })),
      upstreams: () => upstreamStatus(gateway.current, gateway.checker),
      resilience: () => ({ retries: gateway.retryCounters.retries, budgetExhausted: gateway.retryCounters.budgetExhausted, tunnels: gateway.tunnels }),
      rejections: () => gateway.rejections,
    });
    this.#admin = new AdminServer(
      () => ({
        ready: this.#ready,
        draining: this.#draining,
        snapshot: this.#snapshot,
        bindDiagnostics: this.#gateway.current.diagnostics,
        startedAt: this.#startedAt,
        skippedObjects: this.#skipped,
        upstreams: () => upstreamStatus(this.#gateway.current, this.#gateway.checker),
        reload: this.#reloader.status,
      }),
      {
        reload: () => this.reload('api'),
        metrics: () => this.#metrics.scrape(),
        // Without a token the admin listener is loopback-only, and a reload only re-reads the operator's own files.
        authorized: (req) => this.#token === null || bearerMatches(req, this.#token),
        objects: new ObjectApi({
          view: () => ({ store: this.#store, snapshot: this.#snapshot }),
          layer,
          authorized: (req) => (this.#token === null ? null : bearerMatches(req, this.#token)),
          reload: () => this.reload('objects'),
        }).handle,
      },
    );
  }

  /**
   * Loads and compiles the configuration, then binds the admin listener and the entrypoints. Unreadable input
   * throws a ConfigError before anything is bound; invalid single objects are reported and left out.
   */
  static async start(options: StartOptions): Promise<Edgeway> {
    const cache = new ParseCache();
    const loadStarted = cpuMs();
    let load = await loadConfig(options.configPaths, { cache });
    // The applied layer lives in the state directory the settings name, so it is read once those are known.
    const layer = new AppliedLayer(applyOverrides(load.settings, options.overrides).stateDir);
    await layer.load();
    if (!load.fatal && layer.inUse) load = await loadConfig([...options.configPaths, layer.path], { cache });
    for (const d of load.diagnostics) options.report(formatDiagnostic(d));
    if (load.fatal) throw new ConfigError(load.diagnostics.filter((d) => d.severity === 'error'));
    const overridden = applyOverrides(load.settings, options.overrides);
    // Before anything is bound: a corrupt allocation state file stops the start (EW_STATE_CORRUPT).
    const addresses = await AddressKeeper.load(overridden.stateDir);
    const clusters = await loadClusters(overridden, options.report);
    const compileStarted = cpuMs();
    const memo = new CompileMemo();
    const built = await compile(load, options, 1, addresses.previous, clusters, memo);
    const compiled = cpuMs();
    if ('rejected' in built) throw Object.assign(new Error(built.rejected), { code: 'EW_ADMIN_TOKEN_UNREADABLE' });
    const { snapshot } = built;
    const settings = snapshot.settings;
    if (built.token === null && !isLoopback(settings.admin)) {
      throw Object.assign(
        new Error(`the admin listener ${settings.admin.host}:${settings.admin.port} is not a loopback address and no admin token is set: set spec.admin.token or spec.admin.tokenFile, or keep the admin address on 127.0.0.1`),
        { code: 'EW_ADMIN_NOT_LOOPBACK' },
      );
    }
    const logger = createLogger(settings.logging.level);
    applyHeapGrowth(settings.runtime.heapGrowthPercent);
    for (const d of snapshot.diagnostics) options.report(formatDiagnostic(d));
    // The generated default certificate is I/O (read, or create once into certificatesDir), so it happens here and
    // not in the pure compile step; without an HTTPS entrypoint no certificate is touched.
    let fallbackCertificate: TlsMaterial | null = null;
    if (settings.https !== null) {
      const generated = await loadDefaultCertificate({ dir: settings.tls.certificatesDir });
      for (const w of generated.warnings) options.report(`edgeway: default certificate: ${w}`);
      if (generated.created) options.report(`edgeway: generated a self-signed default certificate in ${generated.certPath} (key ${generated.keyPath}, mode 0600)`);
      fallbackCertificate = generated.material;
    }
    const applyStarted = cpuMs();
    const edgeway = new Edgeway(options, built, layer, logger, fallbackCertificate);
    edgeway.#addressKeeper = addresses;
    edgeway.#parseCache = cache;
    edgeway.#memo = memo;
    for (const d of edgeway.#gateway.current.diagnostics) options.report(formatDiagnostic(d));
    try {
      edgeway.#adminPort = await edgeway.#admin.listen(settings.admin);
      await edgeway.#gateway.listen(settings);
      edgeway.#snapshot = await addresses.apply(edgeway.#gateway, snapshot, options.report);
      edgeway.#cost = { loadMs: compileStarted - loadStarted, compileMs: compiled - compileStarted, applyMs: cpuMs() - applyStarted };
      if (settings.dns.address !== null) {
        edgeway.#dns = new DnsServer(() => ({ store: edgeway.#store, snapshot: edgeway.#snapshot, settings: edgeway.#snapshot.settings }));
        edgeway.#dnsPort = await edgeway.#dns.listen(settings.dns.address);
      }
      if (settings.reload.watch) {
        edgeway.#watcher = new ConfigWatcher(
          options.configPaths,
          () => void edgeway.reload('file'),
          (err) => logger.warn({ err }, 'watching the configuration failed; SIGHUP and POST /reload still work'),
        );
        await edgeway.#watcher.start();
      }
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
    return this.#snapshot;
  }

  /**
   * Loads, validates and compiles the configuration beside the running one and swaps it in whole. Unreadable input
   * leaves the running snapshot serving; the outcome shows at `GET /config/status`.
   */
  async reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const outcome = await this.#reloader.reload(trigger);
    if (outcome.refused !== undefined) {
      this.logger.info({ trigger, reason: outcome.refused }, 'reload not started');
    } else if (outcome.ok) {
      this.logger.info({ trigger, generation: outcome.generation, ms: Math.round(outcome.durationMs), problems: outcome.diagnostics.length, documents: this.#parseCache.lastLoad, cpuMs: roundCost(this.#cost) }, 'configuration reloaded');
    } else {
      const errors = outcome.diagnostics.map(formatDiagnostic);
      this.logger.error({ trigger, generation: outcome.generation, errors, reason: this.#reloader.status.lastError?.message }, 'reload rejected; the previous configuration keeps serving');
    }
    return outcome;
  }

  /** CPU time the serving generation cost to load, compile and apply (see build-cost.ts). */
  get buildCost(): BuildCost {
    return this.#cost;
  }

  get reloadStatus(): Reloader<Built>['status'] {
    return this.#reloader.status;
  }

  async #build(generation: number): Promise<Built | Rejected> {
    const paths = this.#layer.inUse ? [...this.#options.configPaths, this.#layer.path] : this.#options.configPaths;
    const loadStarted = cpuMs();
    const load = await loadConfig(paths, { maxBytes: this.#snapshot.settings.maxConfigBytes, cache: this.#parseCache });
    if (load.fatal) {
      const errors = load.diagnostics.filter((d) => d.severity === 'error');
      return { rejected: `the configuration cannot be read (${errors.length} error(s)); the previous one keeps serving`, diagnostics: errors };
    }
    const clusters = await loadClusters(applyOverrides(load.settings, this.#options.overrides), (line) => this.logger.warn(line));
    const compileStarted = cpuMs();
    const built = await compile(load, this.#options, generation, this.#addressKeeper?.previous, clusters, this.#memo, this.#built);
    if ('rejected' in built) return built;
    const cost = { loadMs: compileStarted - loadStarted, compileMs: cpuMs() - compileStarted, applyMs: 0 };
    if (!('rejected' in built) && built.token === null && !isLoopback(this.#snapshot.settings.admin)) {
      return { rejected: 'the admin token was removed while the admin listener is on a non-loopback address; keep a token or restart on 127.0.0.1', diagnostics: [] };
    }
    return { ...built, cost };
  }

  async #swap(next: Built): Promise<void> {
    const applyStarted = cpuMs();
    // Listeners first: if a new address cannot be bound, nothing has changed yet and the reload fails whole.
    await this.#gateway.reconcile(next.snapshot.settings).catch((err: NodeJS.ErrnoException) => {
      throw Object.assign(new Error(`an entrypoint cannot be bound (${err.code ?? err.message}); the old listeners keep serving`), { code: 'EW_RELOAD_LISTEN_FAILED' });
    });
    this.#gateway.apply(next.snapshot);
    // Allocation state is persisted and the Service listeners follow; their bind failures are per Service.
    this.#snapshot =
      this.#addressKeeper === null ? next.snapshot : await this.#addressKeeper.apply(this.#gateway, next.snapshot, (line) => this.logger.warn(line));
    this.#store = next.store;
    this.#built = next;
    this.#skipped = next.skipped;
    this.#token = next.token;
    this.logger.level = next.snapshot.settings.logging.level;
    applyHeapGrowth(next.snapshot.settings.runtime.heapGrowthPercent);
    this.#cost = { ...(next.cost ?? this.#cost), applyMs: cpuMs() - applyStarted };
  }

  /**
   * Serve a compiled snapshot from now on: the next request and the next TLS handshake use it, requests and
   * connections already open finish on what they have. (Reloads go through reload(); this only swaps.)
   */
  apply(snapshot: Snapshot): void {
    this.#gateway.apply(snapshot);
    this.#snapshot = snapshot;
  }

  get addresses(): readonly BoundAddress[] {
    return this.#gateway.addresses;
  }

  /** Retry counts and open upgrade tunnels, for the admin API and tests. */
  get resilience(): { readonly retries: number; readonly budgetExhausted: number; readonly tunnels: number } {
    const c = this.#gateway.retryCounters;
    return { retries: c.retries, budgetExhausted: c.budgetExhausted, tunnels: this.#gateway.tunnels };
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
    // A reload under way finishes its swap first: its Service listeners are then among those closed below.
    await this.#reloader.stop();
    await this.#dns?.close();
    await this.#gateway.close(drainMs);
    await this.#admin.close();
    this.logger.flush();
  }
}

/** One generation, built beside the running one: what the reloader swaps in whole. */
interface Built {
  readonly snapshot: Snapshot;
  readonly store: ObjectStore;
  readonly skipped: number;
  /** The admin token of these settings (read from tokenFile when that is how it is given). */
  readonly token: string | null;
  /** Load and compile CPU time of a reload's build (the swap adds apply). */
  readonly cost?: BuildCost;
}

/** Settings with the command line applied, then the objects compiled: the same path at start and on reload. */
async function compile(
  load: ConfigLoad,
  options: StartOptions,
  generation: number,
  previous: AllocationState | undefined,
  clusters: readonly ClusterStore[],
  memo: CompileMemo,
  prior?: Built,
): Promise<Built | Rejected> {
  const fresh = applyOverrides(load.settings, options.overrides);
  // Equal settings stay the same object, so what the memo and the data plane keyed by them stays reusable.
  const settings = prior !== undefined && sameValue(fresh, prior.snapshot.settings) ? prior.snapshot.settings : fresh;
  let token: string | null;
  try {
    token = await resolveAdminToken(settings.adminAuth);
  } catch (err) {
    const message = (err as Error).message;
    return { rejected: message, diagnostics: [{ severity: 'error', code: 'EW_ADMIN_TOKEN_UNREADABLE', message, field: 'spec.admin.tokenFile' }] };
  }
  const store = ObjectStore.next(prior?.store, load.objects);
  return { snapshot: compileSnapshot(store, settings, generation, previous, new Date(), clusters, memo), store, skipped: load.skipped, token };
}

function roundCost(c: BuildCost): BuildCost {
  return { loadMs: Math.round(c.loadMs), compileMs: Math.round(c.compileMs), applyMs: Math.round(c.applyMs) };
}

function applyOverrides(settings: Settings, o: Overrides): Settings {
  return {
    ...settings,
    ...(o.http !== undefined && { http: o.http }),
    ...(o.https !== undefined && { https: o.https }),
    ...(o.admin !== undefined && { admin: o.admin }),
    ...(o.stateDir !== undefined && { stateDir: o.stateDir }),
    ...(o.logLevel !== undefined && { logging: { ...settings.logging, level: o.logLevel } }),
    ...(o.drainTimeoutMs !== undefined && { drainTimeoutMs: o.drainTimeoutMs }),
  };
}

/**
 * The other clusters named in the settings, each loaded like --config. A cluster whose manifests cannot be read is
 * reported and left out (its endpoints are missing, the rest serve); settings documents inside them are ignored.
 */
async function loadClusters(settings: Settings, report: (line: string) => void): Promise<ClusterStore[]> {
  const out: ClusterStore[] = [];
  for (const c of settings.clusters) {
    const load = await loadConfig(c.config, { maxBytes: settings.maxConfigBytes });
    for (const d of load.diagnostics) report(`cluster ${c.name}: ${formatDiagnostic(d)}`);
    if (load.fatal) continue;
    out.push({ name: c.name, zone: c.zone, region: c.region, store: new ObjectStore(load.objects) });
  }
  return out;
}
