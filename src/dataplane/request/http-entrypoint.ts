/**
 * The request path of an HTTP entrypoint: capture the current snapshot once, normalise host and path, route, pick an
 * endpoint with the backend's balancer, and hand the request to its upstream pool. Everything here runs per request,
 * so it avoids closures, regexes and copies it does not need.
 *
 * The same handler serves the HTTPS entrypoint (proto `https`), HTTP/2 requests included: `:authority` stands in for
 * a missing Host. On the plain HTTP entrypoint, routes flagged `redirectToHttps` at compile time answer 308 to https,
 * except ACME HTTP-01 challenges, which must stay reachable over plain HTTP.
 */
import { Http2ServerRequest } from 'node:http2';
import type { Dispatcher, Pool } from 'undici';
import type { Code } from '../../errors.ts';
import { methodClass } from '../../metrics/label-classes.ts';
import type { LimitName, RejectionCounters } from '../../metrics/rejection-counters.ts';
import type { RouteCellRegistry, RouteCells } from '../../metrics/route-cells.ts';
import { choosesCanary } from '../../routing/canary.ts';
import { normalizeHost } from '../../routing/normalize-host.ts';
import { normalizePath } from '../../routing/normalize-path.ts';
import type { RouteTarget } from '../../routing/route-table.ts';
import type { AccessLog } from './access-log.ts';
import type { PickContext } from '../balancers/balancer.ts';
import type { BoundSnapshot } from '../bound-snapshot.ts';
import { clientPeer } from './client-peer.ts';
import { closeAfter, type DownstreamRequest, type DownstreamResponse } from './downstream.ts';
import { sendError } from './error-response.ts';
import { forwardHeaders, type ForwardContext } from './forward-headers.ts';
import type { OverloadGuard } from '../overload-guard.ts';
import { ProxyExchange, type RetryCounters } from './proxy-exchange.ts';
import { framingProblem } from './request-framing.ts';
import { requestIds } from './request-id.ts';
import type { Member, UpstreamSet } from '../upstream/upstream-set.ts';
import type { DnsCache } from '../upstream/dns-cache.ts';
import type { UpstreamRegistry } from '../upstream/upstream-registry.ts';
import type { TrustedProxies } from './trusted-proxies.ts';
import type { SendWatch } from './send-watch.ts';

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
  /** Watches uploads on routes with a send timeout. */
  readonly sendWatch: SendWatch;
}

/**
 * undici reads `servername` from dispatch options; it is always set (undefined for plain backends) so every request's
 * options have the same shape.
 */
type UpstreamDispatchOptions = Omit<Dispatcher.DispatchOptions, 'servername'> & { readonly servername: string | undefined };

const ACME_CHALLENGE = '/.well-known/acme-challenge/';

export class HttpEntrypoint {
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

  /** The `request` listener for node:http and node:http2 (compatibility API). */
  readonly handle = (req: DownstreamRequest, res: DownstreamResponse): void => {
    const started = performance.now();
    const runtime = this.#runtime;
    // Node's HTTP/1 parser accepts `HTTP/2.0` and `HTTP/0.9` in a request line and hands such a request over as an
    // ordinary IncomingMessage with that version; only node:http2 makes real HTTP/2 requests. Neither is a
    // protocol this connection speaks, and everything below assumes HTTP/1.x framing for a non-HTTP/2 request.
    if (req.httpVersionMajor !== 1 && !(req instanceof Http2ServerRequest)) {
      return this.#fail(req, res, 'EDGEWAY_HTTP_VERSION', started, req.url ?? '', undefined, undefined, undefined, true);
    }
    if (this.closing) closeAfter(res);
    if (runtime.overload.shedding) {
      res.setHeader('retry-after', runtime.overload.retryAfter);
      runtime.rejections.overloaded(runtime.overload.reason);
      return this.#fail(req, res, 'EDGEWAY_OVERLOADED', started, req.url ?? '', undefined);
    }
    const bound = runtime.current;
    // HTTP/1 framing and Host checks (HTTP/2 frames its own messages, and its pseudo-headers are no Host lines).
    if (req.httpVersionMajor === 1) {
      const framing = framingProblem(req.rawHeaders, req.httpVersionMinor, bound.snapshot.settings.downstream.maxHeadersCount);
      if (framing !== null) return this.#fail(req, res, framing, started, req.url ?? '', undefined, undefined, undefined, true);
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let rawPath = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q);
    const host = normalizeHost(req.headers.host ?? (req.headers[':authority'] as string | undefined));
    if (rawPath.charCodeAt(0) !== 47 /* / */) {
      // Absolute-form (`GET http://host/path`): route on its path. Its authority must name the same host as the
      // Host header (RFC 9112 §3.2.2 lets the target win; a backend reading Host would then see another host).
      const absolute = absoluteTarget(rawPath);
      if (absolute === null) return this.#fail(req, res, 'EDGEWAY_BAD_REQUEST', started, rawPath, undefined, undefined, undefined, true);
      if (host === null || normalizeHost(absolute.host) !== host) {
        return this.#fail(req, res, 'EDGEWAY_HOST_AMBIGUOUS', started, rawPath, undefined, undefined, undefined, true);
      }
      rawPath = absolute.pathname;
    }
    const path = normalizePath(rawPath);
    if (path === null || host === null) return this.#fail(req, res, 'EDGEWAY_BAD_REQUEST', started, rawPath, undefined, undefined, undefined, true);

    const target = this.#fixed ?? bound.snapshot.routes.match(host, path);
    if (target === null) return this.#fail(req, res, 'EDGEWAY_NO_ROUTE', started, path, host);
    if (target.redirectToHttps && this.#redirectPort !== null && !path.startsWith(ACME_CHALLENGE)) {
      return this.#redirect(req, res, `https://${host}${this.#redirectPort}${rawPath}${query}`, started, path, host, target.ingress);
    }
    const backendKey = target.canary === undefined || !choosesCanary(target.canary, req.headers) ? target.backendKey : target.canary.backendKey;
    const backend = backendKey === null ? undefined : bound.backends.get(backendKey);
    if (backend === undefined || backend.backend.resolution.kind === 'unavailable') {
      return this.#fail(req, res, 'EDGEWAY_BACKEND_UNAVAILABLE', started, path, host, target.ingress);
    }
    const limits = backend.backend.limits;
    const load = backend.runtime;
    if (load.active >= limits.maxRequests) return this.#limit(req, res, 'EDGEWAY_LIMIT_MAX_REQUESTS', 'max-requests', started, path, host, target.ingress, backend.backend.service);
    if (load.pending >= limits.maxPendingRequests) return this.#limit(req, res, 'EDGEWAY_LIMIT_MAX_PENDING', 'max-pending', started, path, host, target.ingress, backend.backend.service);
    const maxBody = target.policy.maxBodyBytes;
    if (maxBody !== 0) {
      const length = req.headers['content-length'];
      if (length !== undefined && Number(length) > maxBody) {
        return this.#fail(req, res, 'EDGEWAY_BODY_TOO_LARGE', started, path, host, target.ingress, undefined, true);
      }
    }
    const resolution = backend.backend.resolution;
    const peer = clientPeer(req, runtime.trusted);
    const ctx: ForwardContext & PickContext = {
      headers: req.headers,
      clientIp: peer.ip,
      trusted: peer.trusted,
      proto: this.#proto,
      port: this.#port,
      forwardProxyAuthorization: bound.snapshot.settings.forwardProxyAuthorization,
      hostOverride: resolution.kind === 'externalName' ? externalHost(resolution.host, resolution.port) : undefined,
    };

    if (resolution.kind === 'externalName') {
      runtime.dns.resolve(resolution.host).then(
        (ip) => {
          const upstream = ip.includes(':') ? `[${ip}]:${resolution.port}` : `${ip}:${resolution.port}`;
          this.#dispatch(req, res, backend, target, runtime.upstreams.pool(`http://${upstream}`), null, upstream, ctx, path, query, host, started, undefined);
        },
        () => {
          this.#fail(req, res, 'EDGEWAY_DNS_FAILED', started, path, host, target.ingress);
        },
      );
      return;
    }
    const member = backend.pick(ctx);
    if (member === null) return this.#fail(req, res, 'EDGEWAY_NO_ENDPOINTS', started, path, host, target.ingress, backend.backend.service);
    this.#dispatch(req, res, backend, target, member.pool, member, member.address, ctx, path, query, host, started, backend.backend.tls?.servername);
  };

  #dispatch(
    req: DownstreamRequest,
    res: DownstreamResponse,
    backend: UpstreamSet,
    target: RouteTarget,
    pool: Pool,
    member: Member | null,
    upstream: string,
    ctx: ForwardContext & PickContext,
    path: string,
    query: string,
    host: string,
    started: number,
    servername: string | undefined,
  ): void {
    const { headers, requestId } = forwardHeaders(req.rawHeaders, ctx, requestIds.next);
    const policy = target.policy;
    // The normalised path is what was matched, so it is what the backend gets: no route can be bypassed by a
    // spelling the backend decodes differently.
    const options: UpstreamDispatchOptions = {
      path: query === '' ? path : path + query,
      method: req.method as 'GET',
      headers,
      body: hasBody(req) ? req : null,
      // undici derives the TLS server name from Host unless given; for TLS backends it must be the backend's name.
      servername,
    };
    const headersTimeout = policy.retry.perTryTimeoutMs !== 0 ? policy.retry.perTryTimeoutMs : policy.readTimeoutMs;
    if (headersTimeout !== 0) options.headersTimeout = headersTimeout;
    if (policy.readTimeoutMs !== 0) options.bodyTimeout = policy.readTimeoutMs;
    const cells: RouteCells = this.#runtime.routeCells.cells(target.ingress, backend.backend.service);
    const info = { host, path, requestId, ingress: target.ingress, service: backend.backend.service, started, cells, method: methodClass(req.method) };
    const exchange = new ProxyExchange(req, res, info, this, options as Dispatcher.DispatchOptions, backend, policy, ctx, this.#runtime.retryCounters);
    exchange.send(pool, member, upstream);
  }

  #limit(req: DownstreamRequest, res: DownstreamResponse, code: Code, limit: LimitName, started: number, path: string, host: string, ingress: string, service: string): void {
    res.setHeader('x-edgeway-limit', limit);
    this.#runtime.rejections.limit(service, limit);
    this.#fail(req, res, code, started, path, host, ingress);
  }

  /** 308 keeps the method and body, unlike 301 (RFC 9110 §15.4.9). */
  #redirect(req: DownstreamRequest, res: DownstreamResponse, location: string, started: number, path: string, host: string, ingress: string): void {
    if (hasBody(req)) req.resume();
    res.writeHead(308, { location, 'content-length': '0', server: 'edgeway' });
    res.end();
    this.#answered(req, 308, started, path, host, ingress, undefined, undefined);
  }

  #fail(
    req: DownstreamRequest,
    res: DownstreamResponse,
    code: Code,
    started: number,
    path: string,
    host: string | undefined,
    ingress?: string,
    service?: string,
    close = false,
  ): void {
    // A request body nobody will read is drained, so the connection can carry the next request; a request whose
    // framing or size is refused closes the connection instead, since its body cannot be trusted or is too big
    // (`Connection: close` makes Node end the socket once the answer is flushed).
    if (!close && hasBody(req)) req.resume();
    this.#runtime.rejections.refused(code);
    const status = sendError(res, code, undefined, close);
    this.#answered(req, status, started, path, host, ingress, service, code);
  }

  /** Metrics and the access line for an answer edgeway gave itself (no upstream, no body). */
  #answered(
    req: DownstreamRequest,
    status: number,
    started: number,
    path: string,
    host: string | undefined,
    ingress: string | undefined,
    service: string | undefined,
    reason: Code | undefined,
  ): void {
    this.#runtime.routeCells.cells(ingress ?? '', service ?? '').record(methodClass(req.method), status, (performance.now() - started) / 1000);
    const log = this.#runtime.accessLog;
    if (!log.enabled) return;
    log.write({
      method: req.method,
      host,
      path,
      status,
      bytes: 0,
      durationMs: performance.now() - started,
      upstream: undefined,
      requestId: undefined,
      ingress,
      service,
      reason,
    });
  }
}

/** The Host an ExternalName target expects: its own name, not the one the client used. */
function externalHost(host: string, port: number): string {
  return port === 80 ? host : `${host}:${port}`;
}

function hasBody(req: DownstreamRequest): boolean {
  // HTTP/2 marks a request without body by ending the stream with its headers; Content-Length is optional there.
  if (req instanceof Http2ServerRequest) return !req.stream.endAfterHeaders;
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/** The path and authority of an absolute-form target, or null when it is not an http(s) URL. */
export function absoluteTarget(target: string): { readonly host: string; readonly pathname: string } | null {
  if (!/^https?:\/\//i.test(target)) return null;
  try {
    const url = new URL(target);
    return { host: url.host, pathname: url.pathname };
  } catch {
    return null;
  }
}
