/**
 * The request path of an HTTP entrypoint: capture the current snapshot once, normalise host and path, route, pick an
 * endpoint with the backend's balancer, and hand the request to its upstream pool. Everything here runs per request,
 * so it avoids closures, regexes and copies it does not need.
 *
 * The same handler serves the HTTPS entrypoint (proto `https`), HTTP/2 requests included: `:authority` stands in for
 * a missing Host. On the plain HTTP entrypoint, routes flagged `redirectToHttps` at compile time answer 308 to https,
 * except ACME HTTP-01 challenges, which must stay reachable over plain HTTP. Where a request goes is decided by
 * resolve-request.ts, which upgrades share. A request with a body goes upstream once request-body.ts lets it: read
 * whole when it fits the request buffer, else streamed, and watched for slow clients either way.
 *
 * A failure of edgeway's own while handling a request (an exception thrown synchronously anywhere on the path) is
 * caught at the handler's entry: the request gets a 500 (or its connection is cut if the response had begun), it is
 * logged and counted, and the process keeps serving. The one try/catch sits in a small wrapper around the path.
 *
 * Pipelined HTTP/1 requests are handled one at a time, as nginx does: Node parses and hands over every request it
 * has read, but a request whose response is queued behind an earlier one waits until that response is done. When the
 * earlier response is the connection's last (a refusal that closes, or the client's `Connection: close`), Node never
 * gives the queued response its socket, so the request behind is never dispatched; and a request read after that
 * last response went out is dropped. No backend runs a request whose answer could not reach the client.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Http2ServerRequest } from 'node:http2';
import type { Dispatcher, Pool } from 'undici';
import type { Code } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { frontDoorIndex, type LimitName, type RejectionCounters } from '../../metrics/rejection-counters.ts';
import type { RouteCellRegistry } from '../../metrics/route-cells.ts';
import type { RouteTarget } from '../../routing/route-table.ts';
import type { AccessControl, AccessVerdict } from './access-control.ts';
import type { AccessLog } from './access-log.ts';
import type { BoundSnapshot } from '../bound-snapshot.ts';
import { closeAfter, kParserFailed, type DownstreamRequest, type DownstreamResponse } from './downstream.ts';
import { errorBodyBytes, sendError } from './error-response.ts';
import { forwardHeaders } from './forward-headers.ts';
import type { OverloadGuard } from '../overload-guard.ts';
import { ProxyExchange, type RetryCounters } from './proxy-exchange.ts';
import { RequestRecord } from './request-record.ts';
import { requestIds } from './request-id.ts';
import { pickEndpoint, resolveRequest } from './resolve-request.ts';
import type { Member } from '../upstream/upstream-set.ts';
import type { DnsCache } from '../upstream/dns-cache.ts';
import type { UpstreamRegistry } from '../upstream/upstream-registry.ts';
import type { TrustedProxies } from './trusted-proxies.ts';
import type { SendWatch } from './send-watch.ts';
import type { ClientWatch } from './client-watch.ts';
import { RequestBody, type BodyOwner } from './request-body.ts';

export interface EntrypointRuntime {
  /** The current bound snapshot; read once per request. */
  readonly current: BoundSnapshot;
  readonly accessLog: AccessLog;
  readonly trusted: TrustedProxies;
  readonly upstreams: UpstreamRegistry;
  readonly dns: DnsCache;
  readonly overload: OverloadGuard;
  readonly retryCounters: RetryCounters;
  /** Request counters and histograms by route; read by /metrics at scrape time. */
  readonly routeCells: RouteCellRegistry;
  /** What edgeway refused itself (limits, overload, front door), for /metrics. */
  readonly rejections: RejectionCounters;
  /** Source ranges, basic authentication and per-client limits of routes that have them. */
  readonly access: AccessControl;
  /** Watches uploads on routes with a send timeout. */
  readonly sendWatch: SendWatch;
  /** Watches request bodies and unread responses of slow clients (client-watch.ts). */
  readonly clientWatch: ClientWatch;
  /** Where a request handler's own failure (a bug) is reported. */
  readonly logger: Logger;
}

/**
 * undici reads `servername` from dispatch options; it is always set (undefined for plain backends) so every request's
 * options have the same shape.
 */
type UpstreamDispatchOptions = Omit<Dispatcher.DispatchOptions, 'servername'> & { readonly servername: string | undefined };

export class HttpEntrypoint implements BodyOwner {
  /**
   * Set when this entrypoint's listener stops (shutdown, or its address changed on reload): every HTTP/1.1
   * response from then on carries `Connection: close`, so keep-alive clients move on and the listener can close.
   */
  closing = false;
  readonly runtime: EntrypointRuntime;
  readonly #runtime: EntrypointRuntime;
  readonly #proto: string;
  readonly #port: string;
  readonly #fixed: RouteTarget | null;
  /** `''` or `:8443` after the host in redirect targets; null: this entrypoint never redirects. */
  readonly #redirectPort: string | null;

  /**
   * @param fixed the routing mode of a Service's own listener (LoadBalancer IP, ClusterIP or NodePort with
   *   appProtocol http): every request goes to this target instead of through the Ingress routes. null routes.
   * @param httpsPort where plain-HTTP requests for TLS hosts are redirected; null: no redirects.
   */
  constructor(runtime: EntrypointRuntime, proto: 'http' | 'https', port: number, fixed: RouteTarget | null = null, httpsPort: number | null = null) {
    this.runtime = runtime;
    this.#runtime = runtime;
    this.#proto = proto;
    this.#port = String(port);
    this.#fixed = fixed;
    this.#redirectPort = proto === 'https' || httpsPort === null ? null : httpsPort === 443 ? '' : `:${httpsPort}`;
  }

  /** downstream.sendTimeout of the current settings, for exchanges whose client stopped reading. */
  get sendTimeoutMs(): number {
    return this.#runtime.current.snapshot.settings.downstream.sendTimeoutMs;
  }

  /** The `request` listener for node:http and node:http2 (compatibility API). */
  readonly handle = (req: DownstreamRequest, res: DownstreamResponse): void => {
    if (!(req instanceof Http2ServerRequest)) {
      // The connection's last response already went out: Node still parses what arrives on the half-closed
      // connection, but nothing more can be answered on it, so nothing more is dispatched.
      if (req.socket.writableEnded || req.socket.destroyed) return;
      // A pipelined request whose response is queued behind an earlier one (no socket yet) waits for its turn.
      if ((res as ServerResponse).socket === null) {
        (res as QueuedResponse)[kQueued] = this;
        (res as ServerResponse).once('socket', onTurn);
        return;
      }
    }
    this.#run(req, res);
  };

  #run(req: DownstreamRequest, res: DownstreamResponse): void {
    const rec = new RequestRecord(req, this.#proto, this.#port, performance.now());
    try {
      this.#handle(rec, res);
    } catch (err) {
      this.#crashed(rec, res, err);
    }
  }

  /** A queued pipelined request's turn came: the responses before it on its connection are done. */
  takeTurn(res: QueuedResponse): void {
    const req = res.req as IncomingMessage;
    // Node's parser failed on this connection after reading this request's head: the rest of its body never comes.
    if (!req.complete && (req.socket as Socket & { [kParserFailed]?: boolean })[kParserFailed] === true) {
      this.#fail(new RequestRecord(req, this.#proto, this.#port, performance.now()), res, 'EDGEWAY_BODY_MALFORMED', true);
      return;
    }
    this.#run(req, res);
  }

  #handle(rec: RequestRecord, res: DownstreamResponse): void {
    const req = rec.req;
    const runtime = this.#runtime;
    // Node's HTTP/1 parser accepts `HTTP/2.0` and `HTTP/0.9` in a request line and hands such a request over as an
    // ordinary IncomingMessage with that version; only node:http2 makes real HTTP/2 requests. Neither is a
    // protocol this connection speaks, and everything below assumes HTTP/1.x framing for a non-HTTP/2 request.
    if (req.httpVersionMajor !== 1 && !(req instanceof Http2ServerRequest)) return this.#fail(rec, res, 'EDGEWAY_HTTP_VERSION', true);
    if (this.closing) closeAfter(res);
    if (runtime.overload.shedding) {
      res.setHeader('retry-after', runtime.overload.retryAfter);
      runtime.rejections.overloaded(runtime.overload.reason);
      return this.#fail(rec, res, 'EDGEWAY_OVERLOADED', false);
    }
    const bound = runtime.current;
    const resolution = resolveRequest(rec, bound, this.#fixed, this.#redirectPort !== null);
    if (resolution !== null) {
      if (resolution === 'redirect') return this.#redirect(rec, res, `https://${rec.host}${this.#redirectPort}${rec.rawPath}${rec.query}`);
      // A front-door refusal (framing, target, Host) closes the connection: what follows on it cannot be trusted.
      return this.#fail(rec, res, resolution, frontDoorIndex(resolution) !== -1);
    }
    const access = rec.target!.policy.access;
    if (access !== null) return this.#afterAccess(rec, res, runtime.access.admit(rec, access, runtime.trusted, res));
    this.#admitted(rec, res);
  }

  /** Continues a request whose route has an access policy (access-control.ts) once its verdict is known. */
  #afterAccess(rec: RequestRecord, res: DownstreamResponse, verdict: AccessVerdict): void {
    if (verdict === null) return this.#admitted(rec, res);
    if (typeof verdict === 'string') return this.#refuseAccess(rec, res, verdict);
    verdict.then(
      (code) => {
        try {
          if (code !== null) this.#refuseAccess(rec, res, code);
          // The client may have gone while its password was checked: then there is nothing to forward.
          else if (!(res as { readonly destroyed?: boolean }).destroyed && !res.writableEnded) this.#admitted(rec, res);
        } catch (err) {
          this.#crashed(rec, res, err);
        }
      },
      (err: unknown) => this.#crashed(rec, res, err),
    );
  }

  #refuseAccess(rec: RequestRecord, res: DownstreamResponse, code: Code): void {
    if (code === 'EDGEWAY_AUTH_REQUIRED') res.setHeader('www-authenticate', rec.target!.policy.access!.auth!.challenge);
    else if (code === 'EDGEWAY_AUTH_BUSY') res.setHeader('retry-after', '1');
    this.#fail(rec, res, code, false);
  }

  /** The rest of the path once the request may go on: the backend's limits, then the body (request-body.ts). */
  #admitted(rec: RequestRecord, res: DownstreamResponse): void {
    const req = rec.req;
    const runtime = this.#runtime;
    const backend = rec.backend!;
    const limits = backend.backend.limits;
    const load = backend.runtime;
    if (load.active >= limits.maxRequests) return this.#limit(rec, res, 'EDGEWAY_LIMIT_MAX_REQUESTS', 'max-requests', backend.backend.service);
    if (load.pending >= limits.maxPendingRequests) return this.#limit(rec, res, 'EDGEWAY_LIMIT_MAX_PENDING', 'max-pending', backend.backend.service);
    const maxBody = rec.target!.policy.maxBodyBytes;
    const length = req.headers['content-length'];
    if (maxBody !== 0 && length !== undefined && Number(length) > maxBody) return this.#fail(rec, res, 'EDGEWAY_BODY_TOO_LARGE', true);
    if (!hasBody(req)) return this.#forward(rec, res, null);
    // A body is read (up to the buffer) or at least watched before it goes upstream: request-body.ts.
    const http2 = req instanceof Http2ServerRequest;
    const body = new RequestBody(rec, res, this, runtime.current.snapshot.settings.downstream, maxBody, length === undefined ? -1 : Number(length), http2);
    body.start(runtime.clientWatch);
  }

  /** Goes on with a request whose body may now go upstream (request-body.ts); its own failures stay its own. */
  forward(rec: RequestRecord, res: DownstreamResponse, body: Buffer | DownstreamRequest): void {
    try {
      this.#forward(rec, res, body);
    } catch (err) {
      this.#crashed(rec, res, err);
    }
  }

  /** The body failed before anything went upstream (too large, too slow): answer and close. */
  refuseBody(rec: RequestRecord, res: DownstreamResponse, code: Code): void {
    this.#fail(rec, res, code, true);
  }

  /** Picks an endpoint and sends the request with `body` (null: none). */
  #forward(rec: RequestRecord, res: DownstreamResponse, body: Buffer | DownstreamRequest | null): void {
    const runtime = this.#runtime;
    const backend = rec.backend!;
    const member = pickEndpoint(rec, backend, runtime.trusted);
    const resolved = backend.backend.resolution;
    if (resolved.kind === 'externalName') {
      runtime.dns.resolve(resolved.host).then(
        (ip) => {
          const upstream = ip.includes(':') ? `[${ip}]:${resolved.port}` : `${ip}:${resolved.port}`;
          try {
            this.#dispatch(rec, res, runtime.upstreams.pool(`http://${upstream}`), null, upstream, undefined, body);
          } catch (err) {
            this.#crashed(rec, res, err);
          }
        },
        () => {
          this.#fail(rec, res, 'EDGEWAY_DNS_FAILED', false);
        },
      );
      return;
    }
    if (member === null) return this.#fail(rec, res, 'EDGEWAY_NO_ENDPOINTS', false, backend.backend.service);
    this.#dispatch(rec, res, member.pool, member, member.address, backend.backend.tls?.servername, body);
  }

  #dispatch(
    rec: RequestRecord,
    res: DownstreamResponse,
    pool: Pool,
    member: Member | null,
    upstream: string,
    servername: string | undefined,
    body: Buffer | DownstreamRequest | null,
  ): void {
    const req = rec.req;
    const { headers, requestId } = forwardHeaders(req.rawHeaders, rec, requestIds.next);
    rec.requestId = requestId;
    const policy = rec.target!.policy;
    // The normalised path is what was matched, so it is what the backend gets: no route can be bypassed by a
    // spelling the backend decodes differently.
    const options: UpstreamDispatchOptions = {
      path: rec.query === '' ? rec.path : rec.path + rec.query,
      method: req.method as 'GET',
      headers,
      body,
      // undici derives the TLS server name from Host unless given; for TLS backends it must be the backend's name.
      servername,
    };
    const headersTimeout = policy.retry.perTryTimeoutMs !== 0 ? policy.retry.perTryTimeoutMs : policy.readTimeoutMs;
    if (headersTimeout !== 0) options.headersTimeout = headersTimeout;
    if (policy.readTimeoutMs !== 0) options.bodyTimeout = policy.readTimeoutMs;
    const exchange = new ProxyExchange(rec, res, this, options as Dispatcher.DispatchOptions);
    exchange.send(pool, member, upstream);
  }

  #limit(rec: RequestRecord, res: DownstreamResponse, code: Code, limit: LimitName, service: string): void {
    res.setHeader('x-edgeway-limit', limit);
    this.#runtime.rejections.limit(service, limit);
    this.#fail(rec, res, code, false, service);
  }

  /** 308 keeps the method and body, unlike 301 (RFC 9110 §15.4.9). */
  #redirect(rec: RequestRecord, res: DownstreamResponse, location: string): void {
    if (hasBody(rec.req)) rec.req.resume();
    res.writeHead(308, { location, 'content-length': '0', server: 'edgeway' });
    res.end();
    this.#answered(rec, 308, undefined, undefined, 0);
  }

  /**
   * @param close the request's framing or size is refused: close the connection instead of draining the body.
   * @param service the backend's Service, for logs and metrics, where the refusal is the Service's (limits, no
   *   endpoints).
   */
  #fail(rec: RequestRecord, res: DownstreamResponse, code: Code, close: boolean, service?: string): void {
    // A request body nobody will read is drained, so the connection can carry the next request; a request whose
    // framing or size is refused closes the connection instead, since its body cannot be trusted or is too big
    // (`Connection: close` makes Node end the socket once the answer is flushed).
    if (!close && hasBody(rec.req)) rec.req.resume();
    this.#runtime.rejections.refused(code);
    const status = sendError(res, code, undefined, close);
    this.#answered(rec, status, service, code, errorBodyBytes(code));
  }

  /**
   * Something on the request path threw (a bug): answer 500 and close, or cut the connection when the response had
   * begun, and log it. Never throws, so the failure stays this request's.
   */
  #crashed(rec: RequestRecord, res: DownstreamResponse, err: unknown): void {
    try {
      this.#runtime.logger.error({ err, method: rec.req.method, host: rec.host, path: rec.path }, 'request handler failed');
      if (res.writableEnded) return;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      this.#answered(rec, sendError(res, 'EDGEWAY_INTERNAL', undefined, true), undefined, 'EDGEWAY_INTERNAL', errorBodyBytes('EDGEWAY_INTERNAL'));
    } catch {
      res.destroy();
    }
  }

  /** Metrics and the access line for an answer edgeway gave itself (no upstream); `bytes`: the body it sent. */
  #answered(rec: RequestRecord, status: number, service: string | undefined, reason: Code | undefined, bytes: number): void {
    this.#runtime.routeCells.cells(rec.ingress ?? '', service ?? '').record(rec.method, status, (performance.now() - rec.started) / 1000);
    const log = this.#runtime.accessLog;
    if (!log.enabled) return;
    log.write({
      method: rec.req.method,
      host: rec.host,
      path: rec.path,
      status,
      bytes,
      durationMs: performance.now() - rec.started,
      upstream: undefined,
      requestId: undefined,
      ingress: rec.ingress,
      service,
      reason,
    });
  }
}

/** A pipelined request's response waiting for its socket, with the entrypoint that will handle it. */
const kQueued = Symbol('edgeway.queued');
type QueuedResponse = DownstreamResponse & { [kQueued]?: HttpEntrypoint | undefined };

/** Node gives a queued response its socket once every response before it finished on a connection kept alive. */
function onTurn(this: QueuedResponse): void {
  const entrypoint = this[kQueued];
  this[kQueued] = undefined;
  entrypoint?.takeTurn(this);
}

function hasBody(req: DownstreamRequest): boolean {
  // HTTP/2 marks a request without body by ending the stream with its headers; Content-Length is optional there.
  if (req instanceof Http2ServerRequest) return !req.stream.endAfterHeaders;
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}
