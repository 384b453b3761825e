/**
 * The request path of an HTTP entrypoint: capture the current snapshot once, normalise host and path, route, pick an
 * endpoint with the backend's balancer, and hand the request to its upstream pool. Everything here runs per request,
 * so it avoids closures, regexes and copies it does not need.
 *
 * The same handler serves the HTTPS entrypoint (proto `https`), HTTP/2 requests included: `:authority` stands in for
 * a missing Host. On the plain HTTP entrypoint, routes flagged `redirectToHttps` at compile time answer 308 to https,
 * except ACME HTTP-01 challenges, which must stay reachable over plain HTTP.
 */
import { randomUUID } from 'node:crypto';
import type { Http2ServerRequest } from 'node:http2';
import type { Dispatcher, Pool } from 'undici';
import type { Code } from '../errors.ts';
import { choosesCanary } from '../routing/canary.ts';
import { methodClass } from '../metrics/label-classes.ts';
import type { RouteCellRegistry, RouteCells } from '../metrics/route-cells.ts';
import { normalizeHost } from '../routing/normalize-host.ts';
import { normalizePath } from '../routing/normalize-path.ts';
import type { RouteTarget } from '../routing/route-table.ts';
import type { AccessLog } from './access-log.ts';
import type { PickContext } from './balancers/balancer.ts';
import type { BoundSnapshot } from './bound-snapshot.ts';
import { closeAfter, type DownstreamRequest, type DownstreamResponse } from './downstream.ts';
import { sendError } from './error-response.ts';
import { forwardHeaders, type ForwardContext } from './forward-headers.ts';
import { ProxyExchange, type RetryHook } from './proxy-exchange.ts';
import type { UpstreamObserver } from './upstream-observer.ts';
import type { Member, UpstreamSet } from './upstream-set.ts';
import type { DnsCache } from './dns-cache.ts';
import type { UpstreamRegistry } from './upstream-registry.ts';
import type { TrustedProxies } from './trusted-proxies.ts';

export interface EntrypointRuntime {
  /** The current bound snapshot; read once per request. */
  readonly current: BoundSnapshot;
  readonly accessLog: AccessLog;
  readonly trusted: TrustedProxies;
  readonly upstreams: UpstreamRegistry;
  readonly dns: DnsCache;
  /** Request counters and histograms by route; read by /metrics at scrape time. */
  readonly routeCells: RouteCellRegistry;
}

/** undici reads `servername` from dispatch options (core/request.js) but does not declare it. */
type UpstreamDispatchOptions = Dispatcher.DispatchOptions & { readonly servername: string | undefined };

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
    const bound = runtime.current;
    if (this.closing) closeAfter(res);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let rawPath = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q);
    if (rawPath.charCodeAt(0) !== 47 /* / */) {
      // Absolute-form (`GET http://host/path`): route on its path; the Host header still names the route's host.
      const absolute = absolutePath(rawPath);
      if (absolute === null) return this.#fail(req, res, 'EDGEWAY_BAD_REQUEST', started, rawPath, undefined);
      rawPath = absolute;
    }
    const path = normalizePath(rawPath);
    const host = normalizeHost(req.headers.host ?? (req.headers[':authority'] as string | undefined));
    if (path === null || host === null) return this.#fail(req, res, 'EDGEWAY_BAD_REQUEST', started, rawPath, undefined);

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
    const resolution = backend.backend.resolution;
    const cells = runtime.routeCells.cells(target.ingress, backend.backend.service);
    const clientIp = clientAddress(req);
    const ctx: ForwardContext & PickContext = {
      headers: req.headers,
      clientIp,
      trusted: runtime.trusted.has(clientIp),
      proto: this.#proto,
      port: this.#port,
      forwardProxyAuthorization: bound.snapshot.settings.forwardProxyAuthorization,
      hostOverride: resolution.kind === 'externalName' ? externalHost(resolution.host, resolution.port) : undefined,
    };

    if (resolution.kind === 'externalName') {
      runtime.dns.resolve(resolution.host).then(
        (ip) => {
          const upstream = ip.includes(':') ? `[${ip}]:${resolution.port}` : `${ip}:${resolution.port}`;
          this.#dispatch(req, res, runtime.upstreams.pool(`http://${upstream}`), upstream, ctx, path, query, host, target.ingress, backend.backend.service, started, undefined, undefined, undefined, cells);
        },
        () => {
          this.#fail(req, res, 'EDGEWAY_DNS_FAILED', started, path, host, target.ingress);
        },
      );
      return;
    }
    const member = backend.pick(ctx);
    if (member === null) return this.#fail(req, res, 'EDGEWAY_NO_ENDPOINTS', started, path, host, target.ingress, backend.backend.service);
    member.begin();
    const retry = IDEMPOTENT.has(req.method ?? '') && !hasBody(req) && backend.members.length > 1 ? new EndpointRetry(this, backend, member, ctx, path, query, host, target.ingress, started) : undefined;
    this.#dispatch(req, res, member.pool, member.address, ctx, path, query, host, target.ingress, backend.backend.service, started, backend.backend.tls?.servername, member, retry, cells);
  };

  /** Another attempt on an endpoint not tried yet (EndpointRetry); false when there is none. */
  retryOn(req: DownstreamRequest, res: DownstreamResponse, r: EndpointRetry): boolean {
    let member: Member | null = null;
    for (let i = 0; i < 4 && (member === null || r.tried.includes(member)); i++) member = r.backend.pick(r.ctx);
    if (member === null || r.tried.includes(member)) {
      // The plan still lists only tried endpoints (health not updated yet): any other healthy one, then any other.
      const now = Date.now();
      member = r.backend.members.find((m) => !r.tried.includes(m) && m.load.healthy(now)) ?? r.backend.members.find((m) => !r.tried.includes(m)) ?? null;
    }
    if (member === null) return false;
    r.tried.push(member);
    member.begin();
    const again = r.tried.length <= MAX_RETRIES ? r : undefined;
    this.#dispatch(req, res, member.pool, member.address, r.ctx, r.path, r.query, r.host, r.ingress, r.backend.backend.service, r.started, r.backend.backend.tls?.servername, member, again, this.#runtime.routeCells.cells(r.ingress, r.backend.backend.service));
    return true;
  }

  #dispatch(
    req: DownstreamRequest,
    res: DownstreamResponse,
    pool: Pool,
    upstream: string,
    ctx: ForwardContext,
    path: string,
    query: string,
    host: string,
    ingress: string,
    service: string,
    started: number,
    servername: string | undefined,
    observer: UpstreamObserver | undefined,
    retry: RetryHook | undefined,
    cells: RouteCells,
  ): void {
    const { headers, requestId } = forwardHeaders(req.rawHeaders, ctx, randomUUID);
    const info = { host, path, requestId, ingress, service, upstream, started, observer, retry, dispatched: performance.now(), cells, method: methodClass(req.method) };
    const exchange = new ProxyExchange(req, res, info, this);
    const options: UpstreamDispatchOptions = {
      path: query === '' ? path : path + query,
      method: req.method as 'GET',
      headers,
      body: hasBody(req) ? req : null,
      // undici derives the TLS server name from Host unless given; for TLS backends it must be the backend's name.
      servername,
    };
    pool.dispatch(options, exchange);
  }

  /** 308 keeps the method and body, unlike 301 (RFC 9110 §15.4.9). */
  #redirect(req: DownstreamRequest, res: DownstreamResponse, location: string, started: number, path: string, host: string, ingress: string): void {
    if (hasBody(req)) req.resume();
    res.writeHead(308, { location, 'content-length': '0', server: 'edgeway' });
    res.end();
    this.#runtime.routeCells.cells(ingress, '').record(methodClass(req.method), 308, (performance.now() - started) / 1000);
    const log = this.#runtime.accessLog;
    if (!log.enabled) return;
    log.write({
      method: req.method,
      host,
      path,
      status: 308,
      bytes: 0,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      upstream: undefined,
      requestId: undefined,
      ingress,
      service: undefined,
      reason: undefined,
    });
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
  ): void {
    // A request body nobody will read is drained, so the connection can carry the next request.
    if (hasBody(req)) req.resume();
    const status = sendError(res, code, undefined);
    this.#runtime.routeCells.cells(ingress ?? '', service ?? '').record(methodClass(req.method), status, (performance.now() - started) / 1000);
    const log = this.#runtime.accessLog;
    if (!log.enabled) return;
    log.write({
      method: req.method,
      host,
      path,
      status,
      bytes: 0,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      upstream: undefined,
      requestId: undefined,
      ingress,
      service,
      reason: code,
    });
  }
}

/**
 * Until the retry policy of issue 6 (other half) lands: an idempotent request without a body that failed to connect
 * or was reset before any response byte is sent again, up to twice, each time to an endpoint not tried yet. Created only for such requests on
 * backends with more than one endpoint.
 */
const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Attempts after the first; each goes to an endpoint not tried before. */
const MAX_RETRIES = 2;

class EndpointRetry implements RetryHook {
  readonly #entrypoint: HttpEntrypoint;
  readonly backend: UpstreamSet;
  /** Endpoints this request was sent to, in order. */
  readonly tried: Member[];
  readonly ctx: ForwardContext & PickContext;
  readonly path: string;
  readonly query: string;
  readonly host: string;
  readonly ingress: string;
  readonly started: number;

  constructor(entrypoint: HttpEntrypoint, backend: UpstreamSet, failed: Member, ctx: ForwardContext & PickContext, path: string, query: string, host: string, ingress: string, started: number) {
    this.#entrypoint = entrypoint;
    this.backend = backend;
    this.tried = [failed];
    this.ctx = ctx;
    this.path = path;
    this.query = query;
    this.host = host;
    this.ingress = ingress;
    this.started = started;
  }

  retry(req: DownstreamRequest, res: DownstreamResponse): boolean {
    return this.#entrypoint.retryOn(req, res, this);
  }
}

/** The Host an ExternalName target expects: its own name, not the one the client used. */
function externalHost(host: string, port: number): string {
  return port === 80 ? host : `${host}:${port}`;
}

function hasBody(req: DownstreamRequest): boolean {
  // HTTP/2 marks a request without body by ending the stream with its headers; Content-Length is optional there.
  if (req.httpVersionMajor === 2) return !(req as Http2ServerRequest).stream.endAfterHeaders;
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

function clientAddress(req: DownstreamRequest): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function absolutePath(target: string): string | null {
  if (!/^https?:\/\//i.test(target)) return null;
  try {
    return new URL(target).pathname;
  } catch {
    return null;
  }
}
