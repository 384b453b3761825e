/**
 * One proxied request: an undici dispatch handler that streams the upstream response into the downstream response
 * with backpressure both ways, cancels the upstream request when the client goes away, and turns failures before
 * the response into edgeway's 502/504. It works on undici's low-level dispatch API, which skips the Readable and
 * promise machinery of `request()` — the largest single cost in a Node proxy.
 *
 * Retries live here too, as state on this one object (no closures, no second handler): when a try fails before any
 * response byte reached the client and retry-decision.ts allows it, the same options are dispatched again — to an
 * endpoint not tried yet where the backend has one, else to the same one on a fresh connection (the keep-alive race)
 * — within the route's retry count and the backend's retry budget. A retryable 5xx response is read to its end and
 * dropped (so its connection stays usable), then retried. Each try is reported to its endpoint's observer (balancing
 * load, outlier detection).
 *
 * A route's connect timeout selects its member's pool for that timeout (bound with the snapshot); a route's send
 * timeout puts the exchange under the data plane's SendWatch while its body uploads (send-watch.ts). Routes without
 * them pay one comparison each.
 *
 * undici reports each informational (1xx) response through onResponseStart before the final one: a `103 Early
 * Hints` is relayed with its Link fields to clients that can take it (HTTP/1.1, HTTP/2), any other 1xx is dropped,
 * and only the final status starts the client's response.
 */
import type { Dispatcher, Pool } from 'undici';
import type { Code } from '../../errors.ts';
import type { RouteCellRegistry, RouteCells } from '../../metrics/route-cells.ts';
import type { RoutePolicy } from '../../routing/route-policy.ts';
import type { AccessLog } from './access-log.ts';
import { closeAfter, type DownstreamRequest, type DownstreamResponse } from './downstream.ts';
import { errorBodyBytes, sendError } from './error-response.ts';
import { endToEndResponseHeaders } from './hop-by-hop.ts';
import type { RequestRecord } from './request-record.ts';
import { failureKind, isIdempotent, mayRetryError, mayRetryStatus } from './retry-decision.ts';
import { sendVerdict, type SendWatch, type SendWatched } from './send-watch.ts';
import type { ClientWatch, ClientWatched } from './client-watch.ts';
import { upstreamErrorCode } from '../upstream/upstream-error.ts';
import type { Member, UpstreamSet } from '../upstream/upstream-set.ts';

type Controller = Dispatcher.DispatchController;
type Headers = Record<string, string | string[] | undefined>;

/** What an exchange needs from its entrypoint: whether it is closing, where to log and count. */
export interface ExchangeOwner {
  readonly closing: boolean;
  /** downstream.sendTimeout of the current settings (0: none); read only when a client stops reading. */
  readonly sendTimeoutMs: number;
  readonly runtime: {
    readonly accessLog: AccessLog;
    readonly sendWatch: SendWatch;
    readonly clientWatch: ClientWatch;
    readonly routeCells: RouteCellRegistry;
    readonly retryCounters: RetryCounters;
    /** Where a last retry on the endpoint that failed gets a connection of its own (upstream-registry.ts). */
    readonly upstreams: { fresh(pool: Pool): Pool };
  };
}

/** Counts kept by the data plane for the admin API and tests. */
export interface RetryCounters {
  retries: number;
  budgetExhausted: number;
}

export class ProxyExchange implements Dispatcher.DispatchHandler, SendWatched, ClientWatched {
  readonly #req: DownstreamRequest;
  readonly #res: DownstreamResponse;
  /** The request as resolved: host, path, route, backend, client (also the balancer's pick context on retries). */
  readonly #info: RequestRecord;
  readonly #cells: RouteCells;
  readonly #owner: ExchangeOwner;
  readonly #options: Dispatcher.DispatchOptions;
  readonly #backend: UpstreamSet;
  readonly #policy: RoutePolicy;
  readonly #counters: RetryCounters;
  readonly #hasBody: boolean;
  #pool: Pool | null = null;
  /** The endpoint of the current try; null for ExternalName targets (no member, no observer). */
  #member: Member | null = null;
  /** Endpoints tried so far, kept only once a retry happens. */
  #tried: Member[] | null = null;
  #upstream = '';
  #tryStarted = 0;
  #controller: Controller | null = null;
  #clientGone = false;
  /** The next try goes out on a connection of its own (the last retry on the endpoint that failed). */
  #ownConnection = false;
  #done = false;
  #bytes = 0;
  /** The response's Content-Length, or -1 when it has none (chunked, or until the connection closes). */
  #expected = -1;
  #sent = 0;
  /** Whether undici put the current try on a connection (it may have reached the backend). */
  #written = false;
  /** The current try's response is a retryable 5xx being read and dropped. */
  #discarding = false;
  #retriesLeft: number;
  #tooLarge = false;
  /** The 'data' listener that counts body bytes is on the request (body-size limit or send timeout). */
  #counting = false;
  /** Under the SendWatch (the route has a send timeout and the body is uploading). */
  #watched = false;
  /** #sent at the sweep's last look, and when the current stall began (see send-watch.ts). */
  #sentSeen = 0;
  #stalledSince = 0;
  #sendStalled = false;
  /** When the client stopped taking response bytes (0: it takes them), and the send timeout then in force. */
  #drainWaitSince = 0;
  #drainTimeoutMs = 0;
  /** Under the ClientWatch for the downstream send timeout. */
  #drainWatched = false;
  /** Node's parser refused the request body part-way (client-error.ts): answer 400 and close, no retry. */
  #malformed = false;

  /** `rec` is resolved (its target and backend set) and its request id assigned. */
  constructor(rec: RequestRecord, res: DownstreamResponse, owner: ExchangeOwner, options: Dispatcher.DispatchOptions) {
    const backend = rec.backend!;
    const policy = rec.target!.policy;
    this.#req = rec.req;
    this.#res = res;
    this.#info = rec;
    this.#cells = owner.runtime.routeCells.cells(rec.ingress!, backend.backend.service);
    this.#owner = owner;
    this.#options = options;
    this.#backend = backend;
    this.#policy = policy;
    this.#counters = owner.runtime.retryCounters;
    this.#hasBody = options.body !== null && options.body !== undefined;
    this.#retriesLeft = policy.retry.retries;
    backend.runtime.active++;
    backend.runtime.budget.request(rec.started);
    (res as ExchangeResponse)[kExchange] = this;
    // 'close' comes once per response: a plain listener spares the wrapper `once` allocates per request.
    res.on('close', onResponseClose);
  }

  /** Sends the (next) try through `pool`; `member` is its endpoint, null for ExternalName. */
  send(pool: Pool, member: Member | null, upstream: string): void {
    // A route with its own connect timeout goes through the member's pool for it.
    if (this.#policy.connectTimeoutMs !== 0 && member !== null) pool = member.poolFor(this.#policy.connectTimeoutMs);
    if (this.#ownConnection) {
      this.#ownConnection = false;
      pool = this.#owner.runtime.upstreams.fresh(pool);
    }
    this.#pool = pool;
    this.#member = member;
    this.#upstream = upstream;
    this.#written = false;
    this.#controller = null;
    // The first try to an endpoint starts with the request: the microseconds of routing before it are not worth a
    // clock read. (An ExternalName try waited for DNS first; retries come later.)
    this.#tryStarted = member !== null && this.#retriesLeft === this.#policy.retry.retries ? this.#info.started : performance.now();
    member?.begin();
    this.#backend.runtime.pending++;
    pool.dispatch(this.#options, this);
  }

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    this.#written = true;
    this.#backend.runtime.pending--;
    if (this.#clientGone || this.#malformed) {
      controller.abort(this.#malformed ? malformedError() : clientGoneError());
      return;
    }
    // A body without Content-Length (chunked) is counted as it arrives, and so is any body on a route with a send
    // timeout. The listener goes on before undici's own, which it adds right after this call, so a chunk over the
    // limit is refused before undici writes it upstream.
    if (!this.#hasBody || this.#counting) return;
    const sendTimeout = this.#policy.sendTimeoutMs;
    if ((this.#policy.maxBodyBytes !== 0 && this.#req.headers['content-length'] === undefined) || sendTimeout !== 0) {
      this.#counting = true;
      (this.#req as CountedRequest)[kExchange] = this;
      this.#req.on('data', countBody);
    }
    if (sendTimeout !== 0) {
      this.#watched = true;
      this.#stalledSince = performance.now();
      this.#owner.runtime.sendWatch.add(this);
    }
  }

  /** Called by countBody for each chunk of the request body, as undici is handed it. */
  bodyChunk(length: number): void {
    this.#sent += length;
    // A body with Content-Length was checked against the limit at the entrypoint.
    if (this.#sent > this.#policy.maxBodyBytes && this.#policy.maxBodyBytes !== 0 && !this.#tooLarge) {
      this.#tooLarge = true;
      this.#controller?.abort(Object.assign(new Error('request body too large'), { code: 'EDGEWAY_BODY_TOO_LARGE' }));
    }
  }

  /**
   * Node's parser refused this request's body part-way (a malformed chunk): the rest will never come, so the
   * upstream request is aborted now and the client answered 400 with a close. False when the exchange is over.
   */
  bodyMalformed(): boolean {
    if (this.#done || this.#clientGone) return false;
    this.#malformed = true;
    this.#controller?.abort(malformedError());
    return true;
  }

  /** The SendWatch's look at this upload (send-watch.ts); true when watching can stop. */
  checkSend(now: number): boolean {
    const req = this.#req;
    if (this.#done || req.readableEnded || req.destroyed) return true;
    // Between tries (a retry waiting for a connection) nothing is being written: the connect timeout governs that.
    const verdict = sendVerdict(
      this.#sent !== this.#sentSeen || this.#controller === null,
      req.isPaused(),
      this.#stalledSince,
      now,
      this.#policy.sendTimeoutMs,
    );
    this.#sentSeen = this.#sent;
    if (verdict === 'progress') this.#stalledSince = now;
    if (verdict !== 'stalled') return false;
    this.#sendStalled = true;
    this.#controller?.abort(Object.assign(new Error('the upstream took no request body within the send timeout'), { code: 'EDGEWAY_UPSTREAM_SEND_TIMEOUT' }));
    return true;
  }

  onResponseStart(controller: Controller, statusCode: number, headers: Headers): void {
    if (statusCode < 200) {
      if (statusCode === 103 && !this.#clientGone) earlyHints(this.#res, headers.link);
      return;
    }
    const res = this.#res;
    const now = performance.now();
    this.#cells.upstreamHeaders.observe((now - this.#tryStarted) / 1000);
    if (this.#clientGone) return;
    this.#member?.upstreamHeaders(statusCode, this.#tryStarted, now);
    if (
      statusCode >= 500 &&
      this.#retriesLeft > 0 &&
      mayRetryStatus(this.#policy.retry.on, statusCode, isIdempotent(this.#req.method), this.#hasBody) &&
      this.#mayRetryNow(true)
    ) {
      this.#discarding = true;
      return;
    }
    const length = headers['content-length'];
    this.#expected = typeof length === 'string' ? Number(length) : -1;
    // The listener began closing while this request was upstream: this response is the connection's last.
    if (this.#owner.closing) closeAfter(res);
    // Without Connection, Keep-Alive, Transfer-Encoding and friends, which also keeps HTTP/2 responses valid: Node
    // throws on those there.
    const out = endToEndResponseHeaders(headers);
    // Every proxied response names a server (Ingress conformance expects one): the backend's, else edgeway's.
    if (headers.server === undefined) out.push('server', 'edgeway');
    res.writeHead(statusCode, out);
    // A HEAD response or 204/304 carries no body; undici still calls onResponseEnd.
    void controller;
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.#discarding) return;
    const res = this.#res;
    this.#bytes += chunk.length;
    // The body's last bytes by its Content-Length end the response: Node then sends them and finishes in one step,
    // where a write and a separate end() cost a second pass and a tick per request. No pause either, since only
    // the end can follow (a 16 KiB response, written in one go over the socket's 16 KiB mark, used to pause).
    if (this.#bytes === this.#expected) {
      res.end(chunk);
      return;
    }
    // Backpressure: pause the upstream until the client drains.
    if (!res.write(chunk)) {
      controller.pause();
      res.once('drain', onResponseDrain);
      this.#awaitDrain();
    }
  }

  /**
   * The client's write buffer is full and the upstream paused: the send timeout (nginx's `send_timeout`) starts.
   * What a client holds is then bounded by the socket buffers plus undici's one parsed chunk.
   */
  #awaitDrain(): void {
    const timeout = this.#owner.sendTimeoutMs;
    if (timeout === 0) return;
    this.#drainWaitSince = performance.now();
    this.#drainTimeoutMs = timeout;
    if (this.#drainWatched) return;
    this.#drainWatched = true;
    this.#owner.runtime.clientWatch.add(this);
  }

  /** The ClientWatch's look (client-watch.ts): a client that took nothing for the send timeout is cut. */
  checkClient(now: number): boolean {
    if (this.#done || this.#clientGone || this.#drainWaitSince === 0) {
      this.#drainWatched = false;
      return true;
    }
    if (now - this.#drainWaitSince < this.#drainTimeoutMs) return false;
    this.#drainWatched = false;
    // Closing the client's connection (HTTP/2: its stream) aborts the upstream try through clientClosed.
    this.#res.destroy();
    return true;
  }

  onResponseEnd(): void {
    this.#member?.upstreamDone();
    if (this.#discarding) {
      this.#discarding = false;
      this.#retry();
      return;
    }
    this.#done = true;
    const res = this.#res;
    if (!res.writableEnded) res.end();
    this.#finish(res.statusCode, undefined);
  }

  onResponseError(_controller: Controller, err: Error): void {
    if (this.#done) return;
    if (!this.#written) this.#backend.runtime.pending--;
    const member = this.#member;
    if (this.#clientGone) {
      member?.upstreamDone();
      this.#done = true;
      this.#finish(499, 'EDGEWAY_CLIENT_CLOSED');
      return;
    }
    const code = upstreamErrorCode(err);
    if (member !== null) {
      if (!this.#res.headersSent && !this.#tooLarge && !this.#discarding && !this.#malformed) member.upstreamFailed(code);
      member.upstreamDone();
    }
    if (this.#tooLarge || this.#malformed) {
      const refusal = this.#tooLarge ? 'EDGEWAY_BODY_TOO_LARGE' : 'EDGEWAY_BODY_MALFORMED';
      this.#done = true;
      if (!this.#res.headersSent) this.#bytes = errorBodyBytes(refusal);
      this.#finish(sendError(this.#res, refusal, this.#info.requestId, true), refusal);
      return;
    }
    if (this.#discarding) {
      // The dropped 5xx failed half-way: retry all the same, its status already qualified.
      this.#discarding = false;
      this.#retry();
      return;
    }
    const kind = failureKind(err);
    if (
      !this.#res.headersSent &&
      this.#retriesLeft > 0 &&
      mayRetryError(this.#policy.retry.on, kind, this.#written, isIdempotent(this.#req.method), this.#hasBody) &&
      // A connect failure cost the endpoint nothing (no request reached it), so its retry is not budgeted.
      this.#mayRetryNow(this.#written || kind !== 'connect-failure')
    ) {
      this.#retry();
      return;
    }
    this.#done = true;
    if (this.#res.headersSent) {
      // Mid-body failure: the only honest signal left is to cut the client connection.
      this.#res.destroy();
      this.#finish(this.#res.statusCode, code);
      return;
    }
    // After a stalled upload the rest of the body is still on the way: answer, then close the connection.
    this.#bytes = errorBodyBytes(code);
    this.#finish(sendError(this.#res, code, this.#info.requestId, this.#sendStalled), code);
  }

  /**
   * Within the total retry time and, when `budgeted`, the backend's budget (which counts the retry when it is
   * allowed).
   */
  #mayRetryNow(budgeted: boolean): boolean {
    const now = performance.now();
    const total = this.#policy.retry.totalTimeoutMs;
    if (total !== 0 && now - this.#info.started > total) return false;
    if (budgeted && !this.#backend.runtime.budget.tryRetry(now)) {
      this.#counters.budgetExhausted++;
      return false;
    }
    return true;
  }

  /**
   * Another try: on an endpoint not tried yet (the balancer's pick, else any other healthy one, else any other),
   * else on the same endpoint, whose pool opens a fresh connection if the old one died.
   */
  #retry(): void {
    this.#retriesLeft--;
    this.#counters.retries++;
    const failed = this.#member;
    if (failed === null) {
      setImmediate(sendAgain, this, this.#pool!, null, this.#upstream);
      return;
    }
    const tried = (this.#tried ??= [failed]);
    const set = this.#backend;
    let next: Member | null = null;
    for (let i = 0; i < 4 && (next === null || tried.includes(next)); i++) next = set.pick(this.#info);
    if (next === null || tried.includes(next)) {
      const now = Date.now();
      next = set.members.find((m) => !tried.includes(m) && m.load.healthy(now)) ?? set.members.find((m) => !tried.includes(m)) ?? failed;
    }
    if (!tried.includes(next)) tried.push(next);
    if (next !== failed) this.send(next.pool, next, next.address);
    else {
      // The endpoint that just failed: the last retry on a connection of its own (upstream-registry.ts fresh()).
      this.#ownConnection = this.#retriesLeft === 0;
      setImmediate(sendAgain, this, next.pool, next, next.address);
    }
  }

  /** The client can take more body: let undici read on. */
  resume(): void {
    this.#drainWaitSince = 0;
    this.#controller?.resume();
  }

  /** The downstream response closed; unless it had finished, the client went away. */
  clientClosed(): void {
    if (this.#done || this.#res.writableEnded) return;
    this.#clientGone = true;
    this.#controller?.abort(clientGoneError());
  }

  #finish(status: number, reason: Code | undefined): void {
    this.#backend.runtime.active--;
    if (this.#watched) this.#owner.runtime.sendWatch.delete(this);
    const info = this.#info;
    const elapsedMs = performance.now() - info.started;
    this.#cells.record(info.method, status, elapsedMs / 1000);
    const log = this.#owner.runtime.accessLog;
    if (!log.enabled) return;
    log.write({
      method: this.#req.method,
      host: info.host,
      path: info.path,
      status,
      bytes: this.#bytes,
      durationMs: elapsedMs,
      upstream: this.#upstream,
      requestId: info.requestId,
      ingress: info.ingress,
      service: this.#backend.backend.service,
      reason,
    });
  }
}

/** The exchange rides on its response (and request), so the listeners below are shared functions, not closures. */
const kExchange = Symbol('edgeway.exchange');
type ExchangeResponse = DownstreamResponse & { [kExchange]?: ProxyExchange };

function onResponseClose(this: ExchangeResponse): void {
  this[kExchange]?.clientClosed();
}

function onResponseDrain(this: ExchangeResponse): void {
  this[kExchange]?.resume();
}

/** A request body is counted (chunked bodies against the route's limit, any body for the send timeout) by the same means (see onRequestStart). */
type CountedRequest = DownstreamRequest & { [kExchange]?: ProxyExchange };

function countBody(this: CountedRequest, chunk: Buffer): void {
  this[kExchange]?.bodyChunk(chunk.length);
}

/** Relays a backend's 103 Early Hints (its Link fields only) unless the client is HTTP/1.0 or the response began. */
function earlyHints(res: DownstreamResponse, link: string | string[] | undefined): void {
  if (link === undefined || res.headersSent || (res.req.httpVersionMajor === 1 && res.req.httpVersionMinor === 0)) return;
  try {
    res.writeEarlyHints({ link });
  } catch {
    // A Link value Node refuses to write is dropped with its hint: the final response still follows.
  }
}

/** Hands a parser failure inside a request body to the exchange answering that request; false when there is none. */
export function refuseMalformedBody(res: object): boolean {
  const exchange = (res as ExchangeResponse)[kExchange];
  return exchange?.bodyMalformed() === true;
}

function malformedError(): Error {
  return Object.assign(new Error('the request body is malformed'), { code: 'EDGEWAY_BODY_MALFORMED' });
}

/**
 * A retry on the endpoint that just failed goes out after the event loop's current I/O phase: closes of other idle
 * connections that arrived with the failure (a backend closing them all at its idle timeout while edgeway was busy)
 * are taken first, so the pool drops those connections instead of handing the retry one of them.
 */
function sendAgain(exchange: ProxyExchange, pool: Pool, member: Member | null, upstream: string): void {
  exchange.send(pool, member, upstream);
}

function clientGoneError(): Error {
  return Object.assign(new Error('client closed the connection'), { code: 'EDGEWAY_CLIENT_CLOSED' });
}
