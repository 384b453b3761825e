/**
 * The running data plane: the current bound snapshot, the HTTP entrypoint listener, and the runtime state that
 * outlives snapshots (upstream pools, balancers). `apply` swaps a new snapshot in atomically: requests that already
 * captured the old one finish on it, the next request sees the new one.
 */
import type { Server } from 'node:http';
import type { HostPort, Settings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { AccessLog } from './access-log.ts';
import type { Balancer } from './balancers/balancer.ts';
import { bindSnapshot, originsOf, type BoundSnapshot } from './bound-snapshot.ts';
import { DnsCache } from './dns-cache.ts';
import { HttpEntrypoint, type EntrypointRuntime } from './http-entrypoint.ts';
import { createHttpServer } from './http-server.ts';
import { ServiceListeners } from './listeners/service-listeners.ts';
import { TrustedProxies } from './trusted-proxies.ts';
import { UpstreamRegistry } from './upstream-registry.ts';

export interface BoundAddress {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export class Gateway implements EntrypointRuntime {
  current: BoundSnapshot;
  accessLog: AccessLog;
  trusted: TrustedProxies;
  readonly upstreams: UpstreamRegistry;
  readonly dns = new DnsCache();
  readonly #logger: Logger;
  readonly #balancers = new Map<string, Balancer>();
  readonly #servers: Server[] = [];
  /** Listeners on allocated Service addresses (LoadBalancer IPs, ClusterIPs, NodePorts); see reconcileListeners. */
  readonly serviceListeners: ServiceListeners;
  #addresses: BoundAddress[] = [];

  constructor(snapshot: Snapshot, logger: Logger) {
    this.#logger = logger;
    this.upstreams = new UpstreamRegistry(snapshot.settings.upstream);
    this.accessLog = new AccessLog(logger, snapshot.settings.logging.access);
    this.trusted = new TrustedProxies(snapshot.settings.trustedProxies);
    this.current = bindSnapshot(snapshot, this.upstreams, this.#balancers);
    this.serviceListeners = new ServiceListeners(this, logger);
  }

  /** Swap in a new snapshot; pools of endpoints that are gone are drained in the background. */
  apply(snapshot: Snapshot): void {
    const bound = bindSnapshot(snapshot, this.upstreams, this.#balancers);
    this.accessLog = new AccessLog(this.#logger, snapshot.settings.logging.access);
    this.trusted = new TrustedProxies(snapshot.settings.trustedProxies);
    this.current = bound;
    void this.upstreams.retain(originsOf(bound), snapshot.settings.upstream);
  }

  /** Binds the entrypoints named in the settings. Rejects (binding nothing further) when one cannot be bound. */
  async listen(settings: Settings): Promise<readonly BoundAddress[]> {
    if (settings.http !== null) await this.#listenHttp('http', settings.http, settings);
    return this.#addresses;
  }

  get addresses(): readonly BoundAddress[] {
    return this.#addresses;
  }

  async #listenHttp(name: string, at: HostPort, settings: Settings): Promise<void> {
    const server = createHttpServer(settings, this.#logger);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at.port, at.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : at.port;
    const entrypoint = new HttpEntrypoint(this, 'http', port);
    server.on('request', entrypoint.handle);
    this.#servers.push(server);
    this.#addresses.push({ name, host: at.host, port });
  }

  /**
   * Stop accepting, let in-flight requests finish for up to `drainMs`, then cut what is left. Idle keep-alive
   * connections are closed at once.
   */
  async close(drainMs: number): Promise<void> {
    const closing = this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const s of this.#servers) s.closeIdleConnections();
    const timer = setTimeout(() => {
      for (const s of this.#servers) s.closeAllConnections();
    }, drainMs);
    timer.unref();
    await Promise.all([...closing, this.serviceListeners.close(drainMs)]);
    clearTimeout(timer);
    await this.upstreams.close();
  }
}
