/**
 * Every socket the data plane accepts on: the HTTP and HTTPS entrypoints, the listeners on allocated Service
 * addresses, the upgrade tunnels they carry, and the TLS identity the HTTPS ones present. It owns binding, rebinding
 * on reload and closing; it holds no routing or upstream state of its own; each handler it makes reads the runtime
 * it was given (the data plane) per request, so a snapshot swap needs no rebinding here, only `follow`.
 */
import type { Server } from 'node:http';
import type { HostPort, Settings } from '../../config/settings.ts';
import type { Snapshot } from '../../snapshot/snapshot.ts';
import type { TicketKeyPair } from '../../tls/ticket-keys.ts';
import type { TlsMaterial } from '../../tls/tls-material.ts';
import type { BoundSnapshot, TlsBinding } from '../bound-snapshot.ts';
import { HttpEntrypoint, type EntrypointRuntime } from '../request/http-entrypoint.ts';
import { UpgradeProxy } from '../request/upgrade-proxy.ts';
import { createHttpServer } from './http-server.ts';
import { listenOn } from './listen-on.ts';
import { ServiceListeners } from './service-listeners.ts';
import { closeSecureListener, destroySecureListener, onSecureRequest, type SecureListener } from './secure-listener.ts';
import { TlsIdentity } from './tls-identity.ts';

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

export class ListenerSet {
  /** Listeners on allocated Service addresses (LoadBalancer IPs, ClusterIPs, NodePorts); see their reconcile. */
  readonly services: ServiceListeners;
  readonly #runtime: EntrypointRuntime;
  readonly #tls: TlsIdentity;
  #listeners: Listener[] = [];
  /** The entrypoints' upgrade tunnels (Service listeners keep their own). */
  #upgrades: UpgradeProxy[] = [];
  /** The HTTPS entrypoint's address (bound at start; a reload does not move it). */
  #secureAddress: BoundAddress | null = null;
  /** Where plain-HTTP requests for TLS hosts are redirected; kept for entrypoints rebound on reload. */
  #httpsPort: number | null = null;
  #secure: SecureListener | null = null;

  /**
   * @param runtime what every handler made here reads per request; its `current` is read only once serving starts.
   * @param fallbackCertificate the generated default certificate; give it exactly when HTTPS is on.
   */
  constructor(runtime: EntrypointRuntime, fallbackCertificate: TlsMaterial | null) {
    this.#runtime = runtime;
    this.#tls = new TlsIdentity(runtime, fallbackCertificate);
    this.services = new ServiceListeners(runtime, this.#tls, runtime.logger);
  }

  /** The session ticket keys of the HTTPS listeners (ticket-keys.ts): made and rotated here unless `useTicketKeys`. */
  get ticketKeys(): TicketKeyPair {
    return this.#tls.ticketKeys.keys;
  }

  /** A worker serves its primary's ticket keys (the primary rotates them and sends each new pair). */
  useTicketKeys(keys: TicketKeyPair): void {
    this.#tls.useTicketKeys(keys);
  }

  /** What binding `snapshot` needs for its SNI table; null when HTTPS is off. */
  tlsBinding(snapshot: Snapshot, previous: BoundSnapshot | null): TlsBinding | null {
    return this.#tls.binding(snapshot, previous);
  }

  /**
   * After a snapshot swap: tunnels whose backend is gone close after the grace period, and HTTPS servers take the
   * new default certificate for clients without SNI.
   */
  follow(bound: BoundSnapshot): void {
    const settings = bound.snapshot.settings.upgrades;
    this.#upgrades = this.#upgrades.filter((u) => !u.finished);
    for (const upgrades of this.#upgrades) upgrades.reconcile(bound, settings);
    this.services.reconcileUpgrades(bound, settings);
    this.#tls.refresh(bound);
  }

  /** Binds the entrypoints named in the settings. Rejects (binding nothing further) when one cannot be bound. */
  async listen(settings: Settings): Promise<readonly BoundAddress[]> {
    // HTTPS first: the HTTP entrypoint needs its port for redirects.
    this.#httpsPort = settings.https !== null && this.#tls.enabled ? await this.#listenHttps(settings.https, settings) : null;
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

  /** Open upgrade tunnels (WebSocket), on the entrypoints and on Service listeners. */
  get tunnels(): number {
    let n = this.services.tunnels;
    for (const u of this.#upgrades) n += u.size;
    return n;
  }

  get addresses(): readonly BoundAddress[] {
    const plain = this.#listeners.map((l) => l.address);
    return this.#secureAddress === null ? plain : [this.#secureAddress, ...plain];
  }

  async #listenHttps(at: HostPort, settings: Settings): Promise<number> {
    const secure = this.#tls.secureServer(settings);
    const server = secure.server;
    const port = await listenOn(server, at.host, at.port);
    const entrypoint = new HttpEntrypoint(this.#runtime, 'https', port);
    onSecureRequest(secure, entrypoint.handle);
    // HTTP/1.1 over TLS is node:http's own server, so WebSocket tunnels work exactly as on the plain entrypoint.
    // HTTP/2 extended CONNECT (RFC 8441) is not offered (https-options.ts).
    const upgrades = new UpgradeProxy(this.#runtime, 'https', port, settings.upgrades);
    secure.http1.on('upgrade', upgrades.handle);
    this.#upgrades.push(upgrades);
    this.#secure = secure;
    this.#secureAddress = { name: 'https', host: at.host, port };
    return port;
  }

  async #listenHttp(name: string, at: HostPort, settings: Settings): Promise<Listener> {
    const server = createHttpServer(settings, this.#runtime.logger, this.#runtime.rejections);
    const port = await listenOn(server, at.host, at.port);
    const entrypoint = new HttpEntrypoint(this.#runtime, 'http', port, null, this.#httpsPort);
    server.on('request', entrypoint.handle);
    const upgrades = new UpgradeProxy(this.#runtime, 'http', port, settings.upgrades);
    server.on('upgrade', upgrades.handle);
    this.#upgrades.push(upgrades);
    return { name, at, server, entrypoint, upgrades, address: { name, host: at.host, port } };
  }

  /**
   * Stop accepting, let in-flight requests finish for up to `drainMs`, then cut what is left. Idle keep-alive
   * connections are closed at once. Everything up to the first wait happens before this returns its promise.
   */
  async close(drainMs: number): Promise<void> {
    this.#tls.stopRotating();
    const servers = this.#listeners.map((l) => l.server);
    const closing = this.#listeners.map(closeGracefully);
    const secure = this.#secure;
    // HTTP/2: GOAWAY, open streams finish. HTTP/1.1 over TLS: idle connections close now, busy ones after.
    if (secure !== null) closing.push(closeSecureListener(secure));
    const timer = setTimeout(() => {
      for (const s of servers) s.closeAllConnections();
      for (const u of this.#upgrades) u.closeAll();
      if (secure !== null) destroySecureListener(secure);
    }, drainMs);
    timer.unref();
    await Promise.all([...closing, this.services.close(drainMs)]);
    clearTimeout(timer);
  }
}

/** Stop accepting; idle keep-alive connections close now, busy ones after their response (see HttpEntrypoint.closing). */
function closeGracefully(listener: Listener): Promise<void> {
  listener.entrypoint.closing = true;
  const closed = new Promise<void>((resolve) => listener.server.close(() => resolve()));
  listener.server.closeIdleConnections();
  return closed;
}
