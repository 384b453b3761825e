/**
 * The running data plane: the current bound snapshot, composed with the listener set (every socket that accepts,
 * and the TLS identity) and the upstream runtime (pools, balancers, endpoint health and load, health checks, the
 * counters). It needs a snapshot, a logger and, for HTTPS, the default certificate, and nothing of the control
 * plane, so any process that receives snapshots can hold one.
 *
 * `apply` swaps a new snapshot in atomically: requests that already captured the old one finish on it, the next
 * request sees the new one; the HTTPS listeners' SNI callback reads the current SNI table, so new certificates apply
 * to the next handshake without rebinding while open connections keep theirs.
 *
 * The data plane is also the one object every request handler reads (EntrypointRuntime): the per-snapshot parts
 * (current, access log, trusted proxies) are its own fields, swapped here, and the upstream runtime's registries are
 * copied onto it once at construction, so a request reaches each with one property load, as before the split.
 */
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { RejectionCounters } from '../metrics/rejection-counters.ts';
import type { RouteCellRegistry } from '../metrics/route-cells.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { TlsMaterial } from '../tls/tls-material.ts';
import type { BoundSnapshot } from './bound-snapshot.ts';
import { ListenerSet, type BoundAddress } from './listeners/listener-set.ts';
import type { OverloadGuard } from './overload-guard.ts';
import { AccessLog } from './request/access-log.ts';
import type { EntrypointRuntime } from './request/http-entrypoint.ts';
import type { RetryCounters } from './request/proxy-exchange.ts';
import type { SendWatch } from './request/send-watch.ts';
import type { ClientWatch } from './request/client-watch.ts';
import { TrustedProxies } from './request/trusted-proxies.ts';
import type { DnsCache } from './upstream/dns-cache.ts';
import type { UpstreamRegistry } from './upstream/upstream-registry.ts';
import { UpstreamRuntime } from './upstream/upstream-runtime.ts';
import { AccessControl } from './request/access-control.ts';

export class DataPlane implements EntrypointRuntime {
  current: BoundSnapshot;
  accessLog: AccessLog;
  trusted: TrustedProxies;
  /** Per-Ingress client limits and password checks (access-control.ts); they outlive snapshots. */
  readonly access = new AccessControl();
  readonly logger: Logger;
  readonly upstream: UpstreamRuntime;
  readonly listeners: ListenerSet;
  // The upstream runtime's registries, as the request path reads them (see the module comment).
  readonly upstreams: UpstreamRegistry;
  readonly dns: DnsCache;
  readonly overload: OverloadGuard;
  readonly retryCounters: RetryCounters;
  readonly routeCells: RouteCellRegistry;
  readonly rejections: RejectionCounters;
  readonly sendWatch: SendWatch;
  readonly clientWatch: ClientWatch;

  /** @param fallbackCertificate the generated default certificate; give it exactly when HTTPS is on. */
  constructor(snapshot: Snapshot, logger: Logger, fallbackCertificate: TlsMaterial | null = null) {
    const upstream = new UpstreamRuntime(snapshot.settings);
    this.upstream = upstream;
    this.upstreams = upstream.upstreams;
    this.dns = upstream.dns;
    this.overload = upstream.overload;
    this.retryCounters = upstream.retryCounters;
    this.routeCells = upstream.routeCells;
    this.rejections = upstream.rejections;
    this.sendWatch = upstream.sendWatch;
    this.clientWatch = upstream.clientWatch;
    this.logger = logger;
    this.accessLog = new AccessLog(logger, snapshot.settings.logging.access);
    this.trusted = new TrustedProxies(snapshot.settings.trustedProxies);
    // The listener set reads `current` only once it serves; binding needs its TLS identity first.
    this.listeners = new ListenerSet(this, fallbackCertificate);
    this.current = upstream.bind(snapshot, this.listeners.tlsBinding(snapshot, null), null);
    upstream.follow(this.current, null);
  }

  /** Swap in a new snapshot; pools of endpoints that are gone are drained in the background. */
  apply(snapshot: Snapshot): void {
    const previous = this.current;
    const bound = this.upstream.bind(snapshot, this.listeners.tlsBinding(snapshot, previous), previous);
    this.accessLog = new AccessLog(this.logger, snapshot.settings.logging.access);
    this.trusted = new TrustedProxies(snapshot.settings.trustedProxies);
    this.current = bound;
    this.access.limits.retain(snapshot.ingresses);
    this.listeners.follow(bound);
    this.upstream.follow(bound, previous);
  }

  /** Binds the entrypoints named in the settings. Rejects (binding nothing further) when one cannot be bound. */
  async listen(settings: Settings): Promise<readonly BoundAddress[]> {
    this.upstream.start();
    return this.listeners.listen(settings);
  }

  /** Rebinds the plain-HTTP entrypoint when its address changed; see ListenerSet.reconcile. */
  async reconcile(settings: Settings): Promise<void> {
    return this.listeners.reconcile(settings);
  }

  get addresses(): readonly BoundAddress[] {
    return this.listeners.addresses;
  }

  /** Open upgrade tunnels (WebSocket), on the entrypoints and on Service listeners, for the admin API and tests. */
  get tunnels(): number {
    return this.listeners.tunnels;
  }

  /** Requests in flight and waiting for a connection, per backend key (admin API, tests). */
  load(backendKey: string): { readonly active: number; readonly pending: number } | undefined {
    return this.upstream.load(backendKey);
  }

  /**
   * Stop accepting, let in-flight requests finish for up to `drainMs`, then cut what is left. Idle keep-alive
   * connections are closed at once. The pools close last, once nothing can use them.
   */
  async close(drainMs: number): Promise<void> {
    const closing = this.listeners.close(drainMs);
    this.upstream.stop();
    await closing;
    await this.upstream.close();
  }
}
