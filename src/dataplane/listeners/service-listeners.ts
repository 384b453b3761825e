/**
 * The listeners on allocated Service addresses, reconciled to a snapshot's listener set: bind what is new, close
 * what is gone, and leave what is unchanged alone (same key `address:port/TCP`, same kind, same backend), so its
 * connections are not disturbed. A listener whose kind or backend changed is closed and bound again.
 *
 * A bind failure (EADDRNOTAVAIL: the address is not on this machine; EADDRINUSE; EACCES: a privileged port) is
 * reported per Service and never thrown: the other listeners are served. Failed listeners are tried again on the
 * next reconcile.
 *
 * Each listener reads the runtime's current bound snapshot per request or connection, so a snapshot swap takes
 * effect on them without rebinding.
 *
 * HTTP listeners (kinds `http`, `ingress` and `ingress-https`, h2c ones included) tunnel upgrades (WebSocket) as the
 * entrypoints do, each with its own UpgradeProxy: the listener set reconciles them on every snapshot swap
 * (`reconcileUpgrades`), and a removed listener's tunnels close after the upgrades' grace period (a listener
 * replaced on the same address cuts them at once, as it cuts its other connections).
 */
import { defaultRoutePolicy } from '../../routing/route-policy.ts';
import type { Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { Settings, UpgradeSettings } from '../../config/settings.ts';
import type { Logger } from '../../log.ts';
import type { ListenerFailure, ListenerSpec } from '../../snapshot/addresses.ts';
import type { BoundSnapshot } from '../bound-snapshot.ts';
import { HttpEntrypoint, type EntrypointRuntime } from '../request/http-entrypoint.ts';
import { createHttpServer } from './http-server.ts';
import { TcpProxy } from '../l4/tcp-proxy.ts';
import { UpgradeProxy } from '../request/upgrade-proxy.ts';
import { cleartextH2Listener } from './cleartext-h2-sniffer.ts';
import { closeSecureListener, onSecureRequest, type SecureListener } from './secure-listener.ts';

/** Where HTTPS ports get their servers: set up like the HTTPS entrypoint's, with the data plane's TLS identity. */
export interface HttpsServers {
  /** Null when edgeway has no certificates (HTTPS off). */
  httpsServer(settings: Settings): SecureServerHandle | null;
}

/** An HTTPS server for a listener on a Service address; the listener binds it and cuts it. */
export interface SecureServerHandle {
  readonly secure: SecureListener;
  destroyAll(): void;
  /** The listener is gone: stop following the default certificate. */
  forget(): void;
}

interface Live {
  readonly spec: ListenerSpec;
  readonly server: HttpServer | TcpServer;
  readonly tcp: TcpProxy | null;
  /** The upgrade tunnels of an HTTP listener; null for TCP pass-through. */
  readonly upgrades: UpgradeProxy | null;
  /** Cuts the connections of a listener that is neither an HTTP server nor a TCP proxy (h2c sniffer, HTTPS). */
  readonly destroyAll?: () => void;
  readonly forget?: () => void;
  /** An HTTPS listener's servers: closing it closes its HTTP/1.1 and HTTP/2 connections too. */
  readonly secure?: SecureListener;
}

export interface ReconcileReport {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly kept: readonly string[];
  /** By Service `namespace/name`. */
  readonly failures: ReadonlyMap<string, readonly ListenerFailure[]>;
}

export class ServiceListeners {
  readonly #runtime: EntrypointRuntime;
  readonly #https: HttpsServers;
  readonly #logger: Logger;
  readonly #live = new Map<string, Live>();
  /** Removed listeners still finishing their connections; cut when the process stops. */
  readonly #closing = new Set<Live>();

  constructor(runtime: EntrypointRuntime, https: HttpsServers, logger: Logger) {
    this.#runtime = runtime;
    this.#https = https;
    this.#logger = logger;
  }

  /** `address:port/TCP` of every bound listener. */
  get keys(): readonly string[] {
    return [...this.#live.keys()];
  }

  /** Open upgrade tunnels on these listeners, removed ones still closing included. */
  get tunnels(): number {
    let n = 0;
    for (const live of this.#live.values()) n += live.upgrades?.size ?? 0;
    for (const live of this.#closing) n += live.upgrades?.size ?? 0;
    return n;
  }

  /**
   * After a snapshot swap (ListenerSet.follow), before the listeners themselves are reconciled: tunnels whose
   * backend the new snapshot lacks close after the grace period, exactly like the entrypoints' tunnels.
   */
  reconcileUpgrades(bound: BoundSnapshot, settings: UpgradeSettings): void {
    for (const live of this.#live.values()) live.upgrades?.reconcile(bound, settings);
  }

  async reconcile(desired: readonly ListenerSpec[], settings: Settings): Promise<ReconcileReport> {
    const wanted = new Map(desired.map((s) => [s.key, s]));
    const removed: string[] = [];
    const kept: string[] = [];
    for (const [key, live] of this.#live) {
      const spec = wanted.get(key);
      if (spec !== undefined && sameListener(spec, live.spec)) {
        kept.push(key);
        continue;
      }
      this.#live.delete(key);
      removed.push(key);
      await this.#retire(live, spec !== undefined);
    }
    const toBind = desired.filter((s) => !this.#live.has(s.key));
    const results = await Promise.all(toBind.map((spec) => this.#bind(spec, settings)));
    const added: string[] = [];
    const failures = new Map<string, ListenerFailure[]>();
    results.forEach((result, i) => {
      const spec = toBind[i]!;
      if (result === null) {
        added.push(spec.key);
        return;
      }
      const list = failures.get(spec.service) ?? [];
      list.push(result);
      failures.set(spec.service, list);
      this.#logger.warn({ listener: spec.key, service: spec.service, code: result.errno }, 'listener not bound');
    });
    return { added, removed, kept, failures };
  }

  /** Stops accepting everywhere; open connections get `drainMs`, then are cut. */
  async close(drainMs: number): Promise<void> {
    const all = [...this.#live.values(), ...this.#closing];
    this.#live.clear();
    const closing = all.map((live) => this.#stop(live));
    const timer = setTimeout(() => {
      for (const live of all) cut(live);
    }, drainMs);
    timer.unref();
    await Promise.all(closing);
    clearTimeout(timer);
  }

  async #bind(spec: ListenerSpec, settings: Settings): Promise<ListenerFailure | null> {
    let live: Live;
    if (spec.kind === 'ingress-https') {
      const secure = this.#https.httpsServer(settings);
      if (secure === null) {
        return {
          key: spec.key,
          errno: 'EW_ENTRYPOINT_HTTPS_UNSUPPORTED',
          message: `${spec.key} (HTTPS port ${spec.servicePort}) is not served: edgeway has no certificates; turn the HTTPS entrypoint on (--https or spec.entrypoints.https)`,
        };
      }
      onSecureRequest(secure.secure, new HttpEntrypoint(this.#runtime, 'https', spec.port).handle);
      // HTTP/1.1 over TLS emits 'upgrade' as on the HTTPS entrypoint; routed through the Ingress routes like it.
      const upgrades = new UpgradeProxy(this.#runtime, 'https', spec.port, settings.upgrades);
      secure.secure.http1.on('upgrade', upgrades.handle);
      live = { spec, server: secure.secure.server, tcp: null, upgrades, secure: secure.secure, destroyAll: secure.destroyAll, forget: secure.forget };
    } else if (spec.kind === 'tcp') {
      const tcp = new TcpProxy(this.#runtime, spec.backendKey ?? '', this.#logger);
      const server = createTcpServer({ allowHalfOpen: true, noDelay: true }, tcp.handle);
      live = { spec, server, tcp, upgrades: null };
    } else {
      const server = createHttpServer(settings, this.#logger, this.#runtime.rejections);
      const fixed =
        spec.kind === 'http' && spec.backendKey !== null
          ? {
              ingress: `service ${spec.service}`,
              backend: null,
              backendKey: spec.backendKey,
              path: '*',
              pathType: 'DefaultBackend' as const,
              redirectToHttps: false,
              policy: defaultRoutePolicy(settings),
            }
          : null;
      const handle = new HttpEntrypoint(this.#runtime, 'http', spec.port, fixed).handle;
      server.on('request', handle);
      // On h2c ports the sniffer hands HTTP/1.1 connections to this same server, so its 'upgrade' events come too.
      const upgrades = new UpgradeProxy(this.#runtime, 'http', spec.port, settings.upgrades, fixed);
      server.on('upgrade', upgrades.handle);
      if (spec.h2c === true) {
        const sniffer = cleartextH2Listener(server, handle);
        live = { spec, server: sniffer.server, tcp: null, upgrades, destroyAll: sniffer.destroyAll };
      } else {
        live = { spec, server, tcp: null, upgrades };
      }
    }
    try {
      await new Promise<void>((resolve, reject) => {
        live.server.once('error', reject);
        // Not exclusive: in a data-plane worker (src/workers/) node:cluster then shares one socket held by the primary
        // among all workers, as for the entrypoints; in a single process the option makes no difference. Replicas
        // sharing state in etcd all serve the same addresses: with reusePort, several of them on one machine (the
        // three-replica walk-through, tests) share each address instead of all but one failing to bind it; on
        // machines of their own it changes nothing.
        live.server.listen({ host: spec.address, port: spec.port, ...(settings.etcd !== null && { reusePort: true }) }, () => {
          live.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      return {
        key: spec.key,
        errno: e.code ?? 'UNKNOWN',
        message: `${spec.key} (${spec.source} for port ${spec.servicePort}) cannot be bound: ${bindHint(e)}`,
      };
    }
    this.#live.set(spec.key, live);
    return null;
  }

  /** Stops accepting; a listener being replaced on the same address is waited for, so the port is free again. */
  async #retire(live: Live, rebinding: boolean): Promise<void> {
    this.#closing.add(live);
    // The server's close waits for its tunnels too (they are its sockets still): they end after the grace period.
    live.upgrades?.retire();
    const stopped = this.#stop(live).then(() => void this.#closing.delete(live));
    if (rebinding) {
      cut(live);
      await stopped;
    }
  }

  #stop(live: Live): Promise<void> {
    live.forget?.();
    if (live.secure !== undefined) return closeSecureListener(live.secure);
    return new Promise<void>((resolve) => {
      live.server.close(() => resolve());
      if ('closeIdleConnections' in live.server) live.server.closeIdleConnections();
    });
  }
}

function cut(live: Live): void {
  live.upgrades?.closeAll();
  if (live.destroyAll !== undefined) live.destroyAll();
  else if (live.tcp !== null) live.tcp.destroyAll();
  else if ('closeAllConnections' in live.server) live.server.closeAllConnections();
}

function sameListener(a: ListenerSpec, b: ListenerSpec): boolean {
  return a.kind === b.kind && a.backendKey === b.backendKey && a.h2c === b.h2c;
}

function bindHint(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'EADDRNOTAVAIL':
      return 'EADDRNOTAVAIL: the address is not on this machine (add it to an interface, or use a pool on loopback)';
    case 'EADDRINUSE':
      return 'EADDRINUSE: something else already listens there';
    case 'EACCES':
      return 'EACCES: binding this port needs privileges (CAP_NET_BIND_SERVICE for ports below 1024)';
    default:
      return `${e.code ?? 'error'}: ${e.message}`;
  }
}
