/**
 * One proxied request: an undici dispatch handler that streams the upstream response into Node's ServerResponse
 * with backpressure both ways, cancels the upstream request when the client goes away, and turns failures before
 * the response into edgeway's 502/504. It works on undici's low-level dispatch API, which skips the Readable and
 * promise machinery of `request()` — the largest single cost in a Node proxy.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Code } from '../errors.ts';
import type { RouteCells } from '../metrics/route-cells.ts';
import type { AccessLog } from './access-log.ts';
import { sendError } from './error-response.ts';
import { closeAfter, type DownstreamRequest, type DownstreamResponse } from './downstream.ts';
import { connectionTokens, isHopByHop } from './hop-by-hop.ts';
import { upstreamErrorCode } from './upstream-error.ts';
import type { UpstreamObserver } from './upstream-observer.ts';

/** A second attempt for a request that failed before any response byte (see http-entrypoint.ts). */
export interface RetryHook {
  /** Dispatches the request again elsewhere; false when there is nowhere else to send it. */
  retry(req: DownstreamRequest, res: DownstreamResponse): boolean;
}

/** Failures that prove the request never reached an application (or was cut before any answer). */
const RETRIABLE: ReadonlySet<Code> = new Set<Code>(['EDGEWAY_UPSTREAM_CONNECT', 'EDGEWAY_UPSTREAM_RESET']);

type Controller = Dispatcher.DispatchController;
type Headers = Record<string, string | string[] | undefined>;

export interface ExchangeInfo {
  readonly host: string;
  readonly path: string;
  readonly requestId: string;
  readonly ingress: string;
  readonly service: string;
  readonly upstream: string;
  readonly started: number;
  /** Told about the upstream result (balancing load, outlier detection); undefined for ExternalName. */
  readonly observer: UpstreamObserver | undefined;
  readonly retry: RetryHook | undefined;
  /** When the request was handed to its pool (performance.now()), for the upstream time-to-headers histogram. */
  readonly dispatched: number;
  readonly cells: RouteCells;
  /** The method class (metrics/label-classes.ts). */
  readonly method: number;
}

/** What an exchange needs from its entrypoint: whether it is closing, and where to log. */
export interface ExchangeOwner {
  readonly closing: boolean;
  readonly runtime: { readonly accessLog: AccessLog };
}

export class ProxyExchange implements Dispatcher.DispatchHandler {
  readonly #req: DownstreamRequest;
  readonly #res: DownstreamResponse;
  readonly #info: ExchangeInfo;
  readonly #owner: ExchangeOwner;
  #controller: Controller | null = null;
  #clientGone = false;
  #done = false;
  #bytes = 0;

  constructor(req: DownstreamRequest, res: DownstreamResponse, info: ExchangeInfo, owner: ExchangeOwner) {
    this.#req = req;
    this.#res = res;
    this.#info = info;
    this.#owner = owner;
    (res as ExchangeResponse)[kExchange] = this;
    res.once('close', onResponseClose);
  }

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    if (this.#clientGone) controller.abort(clientGoneError());
  }

  onResponseStart(controller: Controller, statusCode: number, headers: Headers): void {
    const res = this.#res;
    this.#info.cells.upstreamHeaders.observe((performance.now() - this.#info.dispatched) / 1000);
    if (this.#clientGone) return;
    this.#info.observer?.upstreamHeaders(statusCode, this.#info.started);
    stripHopByHop(headers);
    // The listener began closing while this request was upstream: this response is the connection's last.
    if (this.#owner.closing) closeAfter(res);
    res.writeHead(statusCode, headers as OutgoingHttpHeaders);
    // A HEAD response or 204/304 carries no body; undici still calls onResponseEnd.
    void controller;
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (!this.#res.write(chunk)) {
      controller.pause();
      this.#res.once('drain', onResponseDrain);
    }
  }

  onResponseEnd(): void {
    this.#done = true;
    this.#info.observer?.upstreamDone();
    this.#res.end();
    this.#record(this.#res.statusCode, undefined);
  }

  onResponseError(_controller: Controller, err: Error): void {
    if (this.#done) return;
    this.#done = true;
    const observer = this.#info.observer;
    if (this.#clientGone) {
      observer?.upstreamDone();
      this.#record(499, 'EDGEWAY_CLIENT_CLOSED');
      return;
    }
    const code = upstreamErrorCode(err);
    if (observer !== undefined) {
      if (!this.#res.headersSent) observer.upstreamFailed(code);
      observer.upstreamDone();
    }
    if (!this.#res.headersSent && this.#info.retry !== undefined && RETRIABLE.has(code)) {
      // The next exchange registers the shared close listener again and takes over the response.
      this.#res.off('close', onResponseClose);
      if (this.#info.retry.retry(this.#req, this.#res)) return;
    }
    if (this.#res.headersSent) {
      // Mid-body failure: the only honest signal left is to cut the client connection.
      this.#res.destroy();
      this.#record(this.#res.statusCode, code);
      return;
    }
    this.#record(sendError(this.#res, code, this.#info.requestId), code);
  }

  /** The client can take more body: let undici read on. */
  resume(): void {
    this.#controller?.resume();
  }

  /** The downstream response closed; unless it had finished, the client went away. */
  clientClosed(): void {
    if (this.#done || this.#res.writableEnded) return;
    this.#clientGone = true;
    this.#controller?.abort(clientGoneError());
  }

  #record(status: number, reason: Code | undefined): void {
    const info = this.#info;
    info.cells.record(info.method, status, (performance.now() - info.started) / 1000);
    const log = this.#owner.runtime.accessLog;
    if (!log.enabled) return;
    log.write({
      method: this.#req.method,
      host: info.host,
      path: info.path,
      status,
      bytes: this.#bytes,
      durationMs: Math.round((performance.now() - info.started) * 1000) / 1000,
      upstream: info.upstream,
      requestId: info.requestId,
      ingress: info.ingress,
      service: info.service,
      reason,
    });
  }
}

/** The exchange rides on its response, so the listeners below are shared functions, not closures per request. */
const kExchange = Symbol('edgeway.exchange');
type ExchangeResponse = DownstreamResponse & { [kExchange]?: ProxyExchange };

function onResponseClose(this: ExchangeResponse): void {
  this[kExchange]?.clientClosed();
}

function onResponseDrain(this: ExchangeResponse): void {
  this[kExchange]?.resume();
}

function clientGoneError(): Error {
  return Object.assign(new Error('client closed the connection'), { code: 'EDGEWAY_CLIENT_CLOSED' });
}

/**
 * Removes hop-by-hop response headers in place (undici hands us a fresh object per response). This also keeps HTTP/2
 * responses valid: Node throws on Connection, Keep-Alive, Transfer-Encoding, Upgrade and Proxy-Connection there.
 */
function stripHopByHop(headers: Headers): void {
  const named = connectionTokens(headers.connection);
  for (const name in headers) {
    if (isHopByHop(name) || (named !== null && named.has(name))) delete headers[name];
  }
}
