/**
 * Upgrade requests (WebSocket and any other `Upgrade:` protocol), from the 'upgrade' event of node:http, on plain
 * listeners and behind the HTTPS listeners' TLS alike (secure-listener.ts): routed like any request, then tunnelled
 * over a raw TCP connection to the chosen endpoint. The request head is replayed with the normalised path and edgeway's
 * forwarding headers (Connection/Upgrade restored); once the endpoint answers 101, bytes are piped both ways untouched.
 * Any other answer is relayed and the connection closed, and the client's bytes after its upgrade request are never
 * forwarded unless the endpoint switched: they cannot smuggle a request past routing. `Upgrade: h2c` is refused for the
 * same reason. A raw connection is simpler and more robust than undici's `upgrade` dispatch: nothing parses the
 * tunnelled stream.
 *
 * Tunnels are long-lived, so they are tracked: each has an idle timeout, and on every reload (`reconcile`) a tunnel
 * whose route now goes elsewhere, or nowhere, is closed after a grace period; one whose route is unchanged stays.
 *
 * A Service's own HTTP listener (LoadBalancer IP, ClusterIP or NodePort with appProtocol http) gives a fixed target
 * instead of the Ingress routes, as its HttpEntrypoint does: its tunnels stay while the snapshot still has that
 * backend. When the listener itself is removed, `retire` closes its tunnels after the same grace period: upgraded
 * sockets are detached from the http server, so closing the server does not end them.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { CODES, type Code } from '../../errors.ts';
import type { UpgradeSettings } from '../../config/settings.ts';
import { tlsConnectOptions } from '../../controllers/backend-tls.ts';
import type { RouteTarget } from '../../routing/route-table.ts';
import type { BoundSnapshot } from '../bound-snapshot.ts';
import { forwardHeaders } from './forward-headers.ts';
import type { EntrypointRuntime } from './http-entrypoint.ts';
import type { AccessVerdict } from './access-control.ts';
import { RequestRecord } from './request-record.ts';
import { requestIds } from './request-id.ts';
import { pickEndpoint, resolveRequest } from './resolve-request.ts';

interface Tunnel {
  readonly host: string;
  readonly path: string;
  readonly backendKey: string;
  readonly client: Duplex;
  readonly upstream: Socket;
  closeTimer: NodeJS.Timeout | null;
}

export class UpgradeProxy {
  readonly #runtime: EntrypointRuntime;
  readonly #proto: string;
  readonly #port: string;
  readonly #tunnels = new Set<Tunnel>();
  readonly #fixed: RouteTarget | null;
  #settings: UpgradeSettings;
  /** The listener is gone (see retire): upgrades still arriving on its open connections are refused. */
  #retired = false;

  /**
   * @param fixed the routing mode of a Service's own listener: every upgrade goes to this target instead of through
   *   the Ingress routes (as in HttpEntrypoint). null routes.
   */
  constructor(runtime: EntrypointRuntime, proto: 'http' | 'https', port: number, settings: UpgradeSettings, fixed: RouteTarget | null = null) {
    this.#runtime = runtime;
    this.#proto = proto;
    this.#port = String(port);
    this.#settings = settings;
    this.#fixed = fixed;
  }

  get size(): number {
    return this.#tunnels.size;
  }

  /** The 'upgrade' listener for node:http, and for HTTP/1.1 over TLS on the HTTPS entrypoint (`client` is then a TLSSocket). */
  readonly handle = (req: IncomingMessage, client: Duplex, head: Buffer): void => {
    try {
      this.#handle(req, client, head);
    } catch (err) {
      this.#crashed(req, client, err);
    }
  };

  #handle(req: IncomingMessage, client: Duplex, head: Buffer): void {
    const runtime = this.#runtime;
    // Upgrades exist only in HTTP/1.1; a request line naming another version is refused as the entrypoint does.
    if (req.httpVersionMajor !== 1) return this.#refuse(client, 'EDGEWAY_HTTP_VERSION');
    if (runtime.overload.shedding) {
      runtime.rejections.overloaded(runtime.overload.reason);
      return refuse(client, 'EDGEWAY_OVERLOADED');
    }
    // h2c through a proxy hands the client a raw HTTP/2 connection to the endpoint, on which it could reach any path
    // the route never matched (h2c smuggling); edgeway speaks HTTP/2 to clients itself, on its HTTPS entrypoint.
    if (/(^|,)\s*h2c\s*(,|$)/i.test(String(req.headers.upgrade ?? ''))) return this.#refuse(client, 'EDGEWAY_UPGRADE_REFUSED');
    if (this.#retired) return refuse(client, 'EDGEWAY_BACKEND_UNAVAILABLE');
    const rec = new RequestRecord(req, this.#proto, this.#port, performance.now());
    // Upgrades are routed exactly as requests are; plain-HTTP upgrades are not redirected to https.
    const resolution = resolveRequest(rec, runtime.current, this.#fixed, false);
    if (resolution !== null) return this.#refuse(client, resolution === 'redirect' ? 'EDGEWAY_BAD_REQUEST' : resolution);
    const access = rec.target!.policy.access;
    if (access !== null) return this.#afterAccess(rec, client, head, runtime.access.admit(rec, access, runtime.trusted, client));
    this.#tunnel(rec, client, head);
  }

  /** Continues an upgrade whose route has an access policy (access-control.ts) once its verdict is known. */
  #afterAccess(rec: RequestRecord, client: Duplex, head: Buffer, verdict: AccessVerdict): void {
    if (verdict === null) return this.#tunnel(rec, client, head);
    if (typeof verdict === 'string') return this.#refuseAccess(rec, client, verdict);
    verdict.then(
      (code) => {
        try {
          if (code !== null) this.#refuseAccess(rec, client, code);
          else if (!client.destroyed) this.#tunnel(rec, client, head);
        } catch (err) {
          this.#crashed(rec.req as IncomingMessage, client, err);
        }
      },
      (err: unknown) => this.#crashed(rec.req as IncomingMessage, client, err),
    );
  }

  #refuseAccess(rec: RequestRecord, client: Duplex, code: Code): void {
    this.#runtime.rejections.refused(code);
    const extra =
      code === 'EDGEWAY_AUTH_REQUIRED'
        ? `WWW-Authenticate: ${rec.target!.policy.access!.auth!.challenge}\r\n`
        : code === 'EDGEWAY_AUTH_BUSY'
          ? 'Retry-After: 1\r\n'
          : '';
    refuse(client, code, extra);
  }

  /** Picks an endpoint and opens the tunnel to it. */
  #tunnel(rec: RequestRecord, client: Duplex, head: Buffer): void {
    const runtime = this.#runtime;
    const req = rec.req as IncomingMessage;
    const backend = rec.backend!;
    // A tunnel goes to an endpoint; an ExternalName backend has none to tunnel to.
    if (backend.backend.resolution.kind !== 'endpoints') return refuse(client, 'EDGEWAY_BACKEND_UNAVAILABLE');
    const endpoint = pickEndpoint(rec, backend, runtime.trusted)?.endpoint;
    if (endpoint === undefined) return refuse(client, 'EDGEWAY_NO_ENDPOINTS');
    // A tunnel is a request in flight for the Service's circuit limit, for as long as it lives (as in Envoy).
    const load = backend.runtime;
    if (load.active >= backend.backend.limits.maxRequests) {
      runtime.rejections.limit(backend.backend.service, 'max-requests');
      return refuse(client, 'EDGEWAY_LIMIT_MAX_REQUESTS', 'X-Edgeway-Limit: max-requests\r\n');
    }
    load.active++;
    const host = rec.host!;
    const path = rec.path;

    const { headers } = forwardHeaders(req.rawHeaders, rec, requestIds.next);
    let text = `${req.method ?? 'GET'} ${rec.query === '' ? path : path + rec.query} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
    text += `connection: upgrade\r\nupgrade: ${req.headers.upgrade ?? ''}\r\n\r\n`;

    // Endpoints reached over TLS (backend-protocol HTTPS) get the tunnel over TLS, verified as the pools verify them.
    const upstreamTls = backend.backend.tls;
    const upstream =
      upstreamTls === undefined
        ? connect({ host: endpoint.address, port: endpoint.port, noDelay: true })
        : tlsConnect({ host: endpoint.address, port: endpoint.port, ...tlsConnectOptions(upstreamTls) });
    const tunnel: Tunnel = { host, path, backendKey: backend.backend.key, client, upstream, closeTimer: null };
    this.#tunnels.add(tunnel);
    let connected = false;
    /** Set once the endpoint answered something other than 101: its answer is relayed, then both ends close. */
    let refused = false;
    const close = (): void => {
      if (!this.#tunnels.delete(tunnel)) return;
      load.active--;
      if (tunnel.closeTimer !== null) clearTimeout(tunnel.closeTimer);
      upstream.destroy();
      // A relayed refusal is ended, not cut, so the client reads all of it.
      if (refused) client.end();
      else client.destroy();
    };
    let first: Buffer = Buffer.alloc(0);
    const onFirstBytes = (chunk: Buffer): void => {
      first = first.length === 0 ? chunk : Buffer.concat([first, chunk]);
      if (first.indexOf('\r\n') === -1 && first.length < 1024) return;
      upstream.off('data', onFirstBytes);
      upstream.pause();
      client.write(first);
      if (/^HTTP\/1\.[01] 101 /.test(first.subarray(0, 16).toString('latin1'))) {
        // Switched: from here on the bytes are the new protocol's, both ways. Bytes the client sent early (`head`)
        // go only now, so they can never reach the endpoint as HTTP.
        if (head.length > 0) upstream.write(head);
        client.pipe(upstream);
        upstream.pipe(client);
        return;
      }
      // Not switched: relay the answer and close. The client's further bytes are never forwarded — otherwise they
      // would reach the endpoint as requests edgeway never routed (WebSocket request smuggling).
      refused = true;
      upstream.pipe(client, { end: false });
      upstream.end();
    };
    // Over TLS the request goes once the handshake is done, so a refused certificate is still a 502 for the client.
    upstream.once(upstreamTls === undefined ? 'connect' : 'secureConnect', () => {
      connected = true;
      upstream.write(text);
      upstream.on('data', onFirstBytes);
    });
    upstream.on('error', () => {
      if (!connected && this.#tunnels.delete(tunnel)) {
        load.active--;
        return refuse(client, 'EDGEWAY_UPGRADE_FAILED');
      }
      close();
    });
    client.on('error', close);
    upstream.on('close', close);
    client.on('close', close);
    // Idle on either side: both sockets carry the same conversation, so either timing out ends the tunnel.
    upstream.setTimeout(this.#settings.idleTimeoutMs, close);
    if ('setTimeout' in client && typeof client.setTimeout === 'function') (client as Socket).setTimeout(this.#settings.idleTimeoutMs, close);
  }

  /**
   * Something on the upgrade path threw (a bug): the client gets a 500 and the connection closes (cut if it is
   * already gone or tunnelling), and it is logged. Never throws, so the failure stays this upgrade's.
   */
  #crashed(req: IncomingMessage, client: Duplex, err: unknown): void {
    try {
      this.#runtime.logger.error({ err, method: req.method, path: req.url }, 'upgrade handler failed');
      if (client.writable && !client.destroyed) refuse(client, 'EDGEWAY_INTERNAL');
      else client.destroy();
    } catch {
      client.destroy();
    }
  }

  /** A refusal: counted for /metrics when it is a front-door one, then answered. */
  #refuse(client: Duplex, code: Code): void {
    this.#runtime.rejections.refused(code);
    refuse(client, code);
  }

  /**
   * After a reload: tunnels whose route still leads to the same backend stay (with a fixed target: while the
   * snapshot still has its backend); the others close after the grace period (cancelled if a later reload brings
   * their route back). A retired proxy is no longer reconciled: its tunnels are already on their way out.
   */
  reconcile(bound: BoundSnapshot, settings: UpgradeSettings): void {
    if (this.#retired) return;
    this.#settings = settings;
    for (const tunnel of this.#tunnels) {
      const target = this.#fixed ?? bound.snapshot.routes.match(tunnel.host, tunnel.path);
      const leadsThere = target !== null && (target.backendKey === tunnel.backendKey || target.canary?.backendKey === tunnel.backendKey);
      const kept = leadsThere && bound.backends.has(tunnel.backendKey);
      if (kept) {
        if (tunnel.closeTimer !== null) clearTimeout(tunnel.closeTimer);
        tunnel.closeTimer = null;
      } else this.#closeLater(tunnel);
    }
  }

  /**
   * The listener is removed (its Service or address is gone): every tunnel closes after the grace period, and
   * upgrades still arriving on the listener's open connections are refused.
   */
  retire(): void {
    this.#retired = true;
    for (const tunnel of this.#tunnels) this.#closeLater(tunnel);
  }

  /** Retired, with its last tunnel closed: nothing left to track. */
  get finished(): boolean {
    return this.#retired && this.#tunnels.size === 0;
  }

  /** Schedules the close once: a tunnel already counting down keeps its deadline. */
  #closeLater(tunnel: Tunnel): void {
    if (tunnel.closeTimer !== null) return;
    tunnel.closeTimer = setTimeout(closeTunnel, this.#settings.removedRouteGraceMs, tunnel);
    tunnel.closeTimer.unref();
  }

  /** Cuts every tunnel (shutdown after the drain time). */
  closeAll(): void {
    for (const tunnel of [...this.#tunnels]) closeTunnel(tunnel);
  }
}

function closeTunnel(tunnel: Tunnel): void {
  tunnel.upstream.destroy();
  tunnel.client.destroy();
}

/** A plain answer on the raw socket, then close: there is no ServerResponse for an upgrade request. */
function refuse(socket: Duplex, code: Code, extraHeaders = ''): void {
  const info = CODES[code] as { summary: string; status?: number };
  const status = info.status ?? 400;
  const body = `${status} ${STATUS_CODES[status] ?? ''}: ${info.summary}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nServer: edgeway\r\nX-Edgeway-Error: ${code}\r\n${extraHeaders}` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
