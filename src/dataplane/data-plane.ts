/**
 * The running data plane: the current bound snapshot, the HTTP and HTTPS entrypoint listeners, and the runtime state
 * that outlives snapshots (upstream pools, balancers, endpoint health and load, active health checks, TLS session
 * keys). `apply` swaps a new snapshot in atomically:
 * requests that already captured the old one finish on it, the next request sees the new one; the HTTPS listener's
 * SNICallback reads the current SNI table, so new certificates apply to the next handshake without rebinding while
 * open connections keep theirs.
 */
import type { Server } from 'node:http';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { HostPort, Settings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { TlsMaterial } from '../tls/tls-material.ts';
import { AccessLog } from './request/access-log.ts';
import type { BackendRuntime } from './upstream/backend-runtime.ts';
import type { Balancer } from './balancers/balancer.ts';
import { bindSnapshot, checksOf, endpointOriginsOf, originsOf, type BindRuntime, type BoundSnapshot, type TlsBinding } from './bound-snapshot.ts';
import { DnsCache } from './upstream/dns-cache.ts';
import { EndpointStates } from './health/endpoint-states.ts';
import { HealthChecker } from './health/health-checker.ts';
import { RejectionCounters } from '../metrics/rejection-counters.ts';
import { RouteCellRegistry } from '../metrics/route-cells.ts';
import { HttpEntrypoint } from './request/http-entrypoint.ts';
import { CONNECTIONS_CHECKING_MS, createHttpServer } from './listeners/http-server.ts';
import { listenOn } from './listeners/listen-on.ts';
import { contextOptions, httpsServerOptions, newSessionKeys } from './listeners/https-options.ts';
import { ServiceListeners, type ListenerRuntime, type SecureServerHandle } from './listeners/service-listeners.ts';
import { OverloadGuard } from './overload-guard.ts';
import { guardSession, H2_LIMITS } from './listeners/h2-limits.ts';
import type { RetryCounters } from './request/proxy-exchange.ts';
import { SendWatch } from './request/send-watch.ts';
import { ClientWatch } from './request/client-watch.ts';
import { UpgradeProxy } from './request/upgrade-proxy.ts';
import { answerClientError } from './listeners/client-error.ts';
import { TrustedProxies } from './request/trusted-proxies.ts';
import { UpstreamRegistry } from './upstream/upstream-registry.ts';

export interface BoundAddress {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** A bound plain-HTTP entrypoint: the address as configured (port 0 stays 0) and the server bound to it. */
interface Listener {
  readonly name: string;
  readonly at: HostPort;
  readonly server: Server;
  readonly entrypoint: HttpEntrypoint;
  readonly upgrades: UpgradeProxy;
  readonly address: BoundAddress;
}

export class DataPlane implements ListenerRuntime {
  current: BoundSnapshot;
  accessLog: AccessLog;
  trusted: TrustedProxies;
  readonly upstreams: UpstreamRegistry;
  readonly dns = new DnsCache();
  /** Health, ejection and load by endpoint origin. */
  readonly states: EndpointStates;
  readonly checker = new HealthChecker();
  readonly routeCells = new RouteCellRegistry();
  readonly overload: OverloadGuard;
  readonly retryCounters: RetryCounters = { retries: 0, budgetExhausted: 0 };
  readonly rejections = new RejectionCounters();
  readonly sendWatch = new SendWatch();
  readonly clientWatch = new ClientWatch();
  readonly #runtimes = new Map<string, BackendRuntime>();
  #upgrades: UpgradeProxy[] = [];
  readonly logger: Logger;
  readonly #logger: Logger;
  readonly #runtime: BindRuntime;
  /** Listeners on allocated Service addresses (LoadBalancer IPs, ClusterIPs, NodePorts); see reconcileListeners. */
  readonly serviceListeners: ServiceListeners;
  #listeners: Listener[] = [];
  /** The HTTPS entrypoint's address (bound at start; a reload does not move it). */
  #secureAddress: BoundAddress | null = null;
  /** Where plain-HTTP requests for TLS hosts are redirected; kept for entrypoints rebound on reload. */
  #httpsPort: number | null = null;
  /** The generated default certificate; null when there is no HTTPS entrypoint (no secure contexts are made). */
  readonly #fallbackCertificate: TlsMaterial | null;
  readonly #sessionKeys = newSessionKeys();
  #secure: SecureListener | null = null;
  /** Every HTTPS server (the entrypoint and entrypoint Services' HTTPS ports): their default identity follows reloads. */
  readonly #secureServers = new Set<SecureListener>();

  /** @param fallbackCertificate the generated default certificate; give it exactly when HTTPS is on. */
  constructor(snapshot: Snapshot, logger: Logger, fallbackCertificate: TlsMaterial | null = null) {
    this.logger = logger;
    this.#logger = logger;
    this.#fallbackCertificate = fallbackCertificate;
    this.upstreams = new UpstreamRegistry(snapshot.settings.upstream);
    this.states = new EndpointStates(snapshot.settings.outlierDetection);
    this.#runtime = { upstreams: this.upstreams, balancers: new Map<string, Balancer>(), states: this.states, runtimes: this.#runtimes };
    this.overload = new OverloadGuard(snapshot.settings.overload);
    this.accessLog = new AccessLog(logger, snapshot.settings.logging.access);
    this.trusted = new TrustedProxies(snapshot.settings.trustedProxies);
    this.current = bindSnapshot(snapshot, this.#runtime, this.#tlsBinding(snapshot, null));
    this.checker.reconcile(checksOf(this.current));
    this.serviceListeners = new ServiceListeners(this, logger);
  }

  /** Swap in a new snapshot; pools of endpoints that are gone are drained in the background. */
  apply(snapshot: Snapshot): void {
    const previous = this.current;
    const bound = bindSnapshot(snapshot, this.#runtime, this.#tlsBinding(snapshot, previous), previous);
    this.accessLog = new AccessLog(this.#logger, snapshot.settings.logging.access);
    this.trusted = new TrustedProxies(snapshot.settings.trustedProxies);
    this.overload.configure(snapshot.settings.overload);
    this.current = bound;
    this.#upgrades = this.#upgrades.filter((u) => !u.finished);
    for (const upgrades of this.#upgrades) upgrades.reconcile(bound, snapshot.settings.upgrades);
    this.serviceListeners.reconcileUpgrades(bound, snapshot.settings.upgrades);
    this.#refreshDefaultIdentity(bound);
    // The same bound backends under the same settings want the same checks, endpoint states and pools as now.
    if (bound.backends === previous.backends && snapshot.settings === previous.snapshot.settings) return;
    this.checker.reconcile(checksOf(bound));
    this.states.retain(endpointOriginsOf(bound));
    void this.upstreams.retain(originsOf(bound), snapshot.settings.upstream);
  }

  /** Binds the entrypoints named in the settings. Rejects (binding nothing further) when one cannot be bound. */
  async listen(settings: Settings): Promise<readonly BoundAddress[]> {
    this.overload.start();
    // HTTPS first: the HTTP entrypoint needs its port for redirects.
    this.#httpsPort = settings.https !== null && this.#fallbackCertificate !== null ? await this.#listenHttps(settings.https, settings) : null;
    if (settings.http !== null) this.#listeners.push(await this.#listenHttp('http', settings.http, settings));
    return this.addresses;
  }

  /**
   * Makes the plain-HTTP entrypoint match new settings on reload: unchanged configured addresses keep their socket
   * (nothing is rebound); a changed one is bound at the new address first and only then is the old one closed
   * gracefully (its in-flight requests finish, each response with `Connection: close`). Rejects before closing
   * anything if the new address cannot be bound, so a failed reload leaves the listeners as they were. The HTTPS
   * entrypoint keeps the address it was started with.
   */
  async reconcile(settings: Settings): Promise<void> {
    const wanted = new Map<string, HostPort>();
    if (settings.http !== null) wanted.set('http', settings.http);
    const keep: Listener[] = [];
    const retire: Listener[] = [];
    for (const l of this.#listeners) {
      const at = wanted.get(l.name);
      if (at !== undefined && at.host === l.at.host && at.port === l.at.port) {
        keep.push(l);
        wanted.delete(l.name);
      } else retire.push(l);
    }
    const added: Listener[] = [];
    try {
      for (const [name, at] of wanted) added.push(await this.#listenHttp(name, at, settings));
    } catch (err) {
      await Promise.all(added.map(closeGracefully));
      throw err;
    }
    this.#listeners = [...keep, ...added];
    for (const l of retire) {
      // Upgraded sockets are no longer the server's to close: its tunnels end after the grace period, so the old
      // listener's close does not wait on them forever.
      l.upgrades.retire();
      void closeGracefully(l);
    }
  }

  /** Requests in flight and waiting for a connection, per backend key (admin API, tests). */
  load(backendKey: string): { readonly active: number; readonly pending: number } | undefined {
    const r = this.#runtimes.get(backendKey);
    return r === undefined ? undefined : { active: r.active, pending: r.pending };
  }

  /** Open upgrade tunnels (WebSocket), on the entrypoints and on Service listeners, for the admin API and tests. */
  get tunnels(): number {
    let n = this.serviceListeners.tunnels;
    for (const u of this.#upgrades) n += u.size;
    return n;
  }

  /** Reads the current table on every handshake: a reload's certificates apply to the next one. */
  readonly sniCallback = (servername: string, callback: (err: Error | null, context?: SecureContext) => void): void => {
    const sni = this.current.sni;
    if (sni === null) callback(new Error('no SNI table'));
    else callback(null, sni.select(servername).context);
  };

  #tlsBinding(snapshot: Snapshot, previous: BoundSnapshot | null): TlsBinding | null {
    if (this.#fallbackCertificate === null) return null;
    return { fallbackCertificate: this.#fallbackCertificate, contextOptions: contextOptions(snapshot.settings, this.#sessionKeys), previous: previous?.sni ?? null };
  }

  /** Clients without SNI get the listener's own context; replace it when the default certificate changed. */
  #refreshDefaultIdentity(bound: BoundSnapshot): void {
    const entry = bound.sni?.defaultEntry;
    if (entry === undefined) return;
    for (const secure of this.#secureServers) {
      if (entry.material.fingerprint === secure.fingerprint) continue;
      secure.server.setSecureContext({ ...contextOptions(bound.snapshot.settings, this.#sessionKeys), cert: entry.material.certPem, key: entry.material.keyPem });
      secure.fingerprint = entry.material.fingerprint;
    }
  }

  /**
   * An HTTPS server set up as the HTTPS entrypoint is (SNI from the current table, HTTP/2 and HTTP/1.1, timeouts),
   * not yet listening: entrypoint Services' HTTPS ports use it. Null when edgeway has no certificates (HTTPS off).
   */
  httpsServer(settings: Settings): SecureServerHandle | null {
    if (this.current.sni?.defaultEntry === undefined) return null;
    const secure = this.#secureServer(settings);
    return {
      server: secure.server,
      destroyAll: () => {
        for (const socket of secure.sockets) socket.destroy();
      },
      forget: () => void this.#secureServers.delete(secure),
    };
  }

  async #listenHttps(at: HostPort, settings: Settings): Promise<number> {
    const secure = this.#secureServer(settings);
    const server = secure.server;
    const port = await listenOn(server, at.host, at.port);
    const entrypoint = new HttpEntrypoint(this, 'https', port);
    server.on('request', entrypoint.handle);
    // HTTP/1.1 over TLS (allowHTTP1): Node's fallback emits 'upgrade' as node:http does, so WebSocket tunnels work
    // exactly as on the plain entrypoint. HTTP/2 extended CONNECT (RFC 8441) is not offered (https-options.ts).
    const upgrades = new UpgradeProxy(this, 'https', port, settings.upgrades);
    server.on('upgrade', upgrades.handle);
    this.#upgrades.push(upgrades);
    this.#secure = secure;
    this.#secureAddress = { name: 'https', host: at.host, port };
    return port;
  }

  #secureServer(settings: Settings): SecureListener {
    const defaultEntry = this.current.sni?.defaultEntry;
    if (defaultEntry === undefined) throw new Error('HTTPS needs a default certificate');
    const server = createSecureServer(httpsServerOptions(settings, this.#sessionKeys, defaultEntry.material, this.sniCallback));
    const secure: SecureListener = { server, sessions: new Set(), sockets: new Set(), fingerprint: defaultEntry.material.fingerprint };
    // Scanners and old clients fail handshakes all day long: worth a debug line, never more.
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      this.#logger.debug({ err: { code: err.code, message: err.message }, remote: socket.remoteAddress }, 'TLS handshake failed');
      socket.destroy();
    });
    // HTTP/1.1 requests Node's parser refuses get edgeway's answers (and are counted), as on the plain entrypoint.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => answerClientError(err, socket, this.#logger, this.rejections));
    server.on('sessionError', (err: NodeJS.ErrnoException) => this.#logger.debug({ err: { code: err.code, message: err.message } }, 'HTTP/2 session error'));
    server.on('session', (session: ServerHttp2Session) => {
      guardSession(session, H2_LIMITS);
      secure.sessions.add(session);
      session.once('close', () => secure.sessions.delete(session));
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      secure.sockets.add(socket);
      socket.once('close', () => secure.sockets.delete(socket));
    });
    // Idle HTTP/2 sessions close after the downstream keep-alive time; HTTP/1.1 clients (allowHTTP1) get the same
    // timeouts as on the HTTP entrypoint, through Node's HTTP/1 fallback (checked before 'listening').
    server.setTimeout(settings.downstream.keepAliveTimeoutMs);
    const fallback = server as Http2SecureServer & Http1Fallback;
    fallback.keepAliveTimeout = settings.downstream.keepAliveTimeoutMs;
    fallback.headersTimeout = settings.downstream.headersTimeoutMs;
    fallback.requestTimeout = settings.downstream.requestTimeoutMs;
    fallback.connectionsCheckingInterval = CONNECTIONS_CHECKING_MS;
    this.#secureServers.add(secure);
    return secure;
  }

  get addresses(): readonly BoundAddress[] {
    const plain = this.#listeners.map((l) => l.address);
    return this.#secureAddress === null ? plain : [this.#secureAddress, ...plain];
  }

  async #listenHttp(name: string, at: HostPort, settings: Settings): Promise<Listener> {
    const server = createHttpServer(settings, this.#logger, this.rejections);
    const port = await listenOn(server, at.host, at.port);
    const entrypoint = new HttpEntrypoint(this, 'http', port, null, this.#httpsPort);
    server.on('request', entrypoint.handle);
    const upgrades = new UpgradeProxy(this, 'http', port, settings.upgrades);
    server.on('upgrade', upgrades.handle);
    this.#upgrades.push(upgrades);
    return { name, at, server, entrypoint, upgrades, address: { name, host: at.host, port } };
  }

  /**
   * Stop accepting, let in-flight requests finish for up to `drainMs`, then cut what is left. Idle keep-alive
   * connections are closed at once.
   */
  async close(drainMs: number): Promise<void> {
    const servers = this.#listeners.map((l) => l.server);
    const closing = this.#listeners.map(closeGracefully);
    const secure = this.#secure;
    if (secure !== null) {
      closing.push(new Promise<void>((resolve) => secure.server.close(() => resolve())));
      // HTTP/2: GOAWAY, open streams finish. HTTP/1.1 over TLS: idle connections close now, busy ones after.
      for (const session of secure.sessions) session.close();
      (secure.server as Http2SecureServer & Http1Fallback).closeIdleConnections();
    }
    this.overload.stop();
    this.sendWatch.stop();
    this.clientWatch.stop();
    const timer = setTimeout(() => {
      for (const s of servers) s.closeAllConnections();
      for (const u of this.#upgrades) u.closeAll();
      if (secure !== null) for (const socket of secure.sockets) socket.destroy();
    }, drainMs);
    timer.unref();
    this.checker.stop();
    await Promise.all([...closing, this.serviceListeners.close(drainMs)]);
    clearTimeout(timer);
    this.states.dispose();
    await this.upstreams.close();
  }
}

/** Stop accepting; idle keep-alive connections close now, busy ones after their response (see HttpEntrypoint.closing). */
function closeGracefully(listener: Listener): Promise<void> {
  listener.entrypoint.closing = true;
  const closed = new Promise<void>((resolve) => listener.server.close(() => resolve()));
  listener.server.closeIdleConnections();
  return closed;
}

/** What Node's Http2SecureServer has for its HTTP/1.1 fallback (allowHTTP1) but @types/node does not declare. */
interface Http1Fallback {
  keepAliveTimeout: number;
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
  closeIdleConnections(): void;
}

interface SecureListener {
  readonly server: Http2SecureServer;
  readonly sessions: Set<ServerHttp2Session>;
  readonly sockets: Set<TLSSocket>;
  /** Of the certificate clients without SNI get. */
  fingerprint: string;
}
