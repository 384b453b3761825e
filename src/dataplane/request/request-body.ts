/**
 * A request body on its way in from the client, before and while it goes upstream. Two jobs:
 *
 * - **Request buffering** (nginx's `proxy_request_buffering`): a body of up to `downstream.requestBufferSize` is
 *   read whole before the request takes an upstream connection, so a client that uploads slowly holds memory (at
 *   most the buffer) but no backend connection, and a backend's pool cannot be drained by clients that send
 *   nothing. A body that outgrows the buffer is handed back to the request stream (`unshift`) and streams upstream
 *   from its first byte, as it would without buffering.
 * - **Slow clients**: `downstream.bodyTimeout` fails a body that stops arriving, and on HTTP/2 (where Node has no
 *   request timeout) `downstream.requestTimeout` fails a request not received whole in time. Both are checked by
 *   the ClientWatch sweep, which compares byte counts between looks, so nothing here reads the clock per chunk.
 *   The idle clock does not run while the stream is paused: then edgeway is waiting (for a connection, or for the
 *   upstream to read), not the client.
 *
 * Before anything went upstream a timeout answers 408 and closes; once the body streams, the response belongs to
 * the proxy exchange, so the client's connection (HTTP/2: its stream) is cut, which also aborts the upstream try.
 */
import type { Code } from '../../errors.ts';
import type { DownstreamSettings } from '../../config/settings.ts';
import type { ClientWatch, ClientWatched } from './client-watch.ts';
import type { DownstreamRequest, DownstreamResponse } from './downstream.ts';
import type { RequestRecord } from './request-record.ts';

/** What a body reports back to its entrypoint. */
export interface BodyOwner {
  /** Go on with the request: `body` is the whole body read, or the request stream when it streams. */
  forward(rec: RequestRecord, res: DownstreamResponse, body: Buffer | DownstreamRequest): void;
  /** The request fails before anything went upstream: answer `code` and close. */
  refuseBody(rec: RequestRecord, res: DownstreamResponse, code: Code): void;
}

type Phase = 'buffering' | 'streaming' | 'done';

export class RequestBody implements ClientWatched {
  readonly #rec: RequestRecord;
  readonly #res: DownstreamResponse;
  readonly #owner: BodyOwner;
  /** 0: no buffering. */
  readonly #bufferBytes: number;
  /** The route's body limit (0: none); counted here only while buffering, the exchange counts streamed bodies. */
  readonly #maxBodyBytes: number;
  readonly #bodyTimeoutMs: number;
  /** The whole-request limit this body enforces; 0 where Node enforces it (HTTP/1.1). */
  readonly #requestTimeoutMs: number;
  #phase: Phase;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Bytes received so far (streamed bytes replayed by unshift count twice: only a change matters). */
  #received = 0;
  #receivedSeen = 0;
  #idleSince: number;

  /**
   * @param length the request's Content-Length, or -1 (chunked, HTTP/2 without one): a body announced larger than
   *   the buffer streams at once.
   * @param http2 the request is an HTTP/2 stream, whose request timeout is enforced here.
   */
  constructor(
    rec: RequestRecord,
    res: DownstreamResponse,
    owner: BodyOwner,
    downstream: DownstreamSettings,
    maxBodyBytes: number,
    length: number,
    http2: boolean,
  ) {
    this.#rec = rec;
    this.#res = res;
    this.#owner = owner;
    this.#bufferBytes = downstream.requestBuffering ? downstream.requestBufferBytes : 0;
    this.#maxBodyBytes = maxBodyBytes;
    this.#bodyTimeoutMs = downstream.bodyTimeoutMs;
    this.#requestTimeoutMs = http2 ? downstream.requestTimeoutMs : 0;
    this.#phase = this.#bufferBytes === 0 || length > this.#bufferBytes ? 'streaming' : 'buffering';
    this.#idleSince = rec.started;
  }

  /** Starts reading (or, without buffering, watching) the body and forwards the request when it may go upstream. */
  start(watch: ClientWatch): void {
    const req = this.#rec.req as BodyRequest;
    req[kBody] = this;
    // A streamed body must not flow before undici takes it (it resumes the stream): paused first, a 'data'
    // listener does not start the flow.
    if (this.#phase === 'streaming') req.pause();
    req.on('data', onBodyData);
    if (this.#bodyTimeoutMs !== 0 || this.#requestTimeoutMs !== 0) watch.add(this);
    if (this.#phase === 'streaming') this.#owner.forward(this.#rec, this.#res, req);
    else req.on('end', onBodyEnd);
  }

  data(chunk: Buffer): void {
    this.#received += chunk.length;
    if (this.#phase !== 'buffering') return;
    const max = this.#maxBodyBytes;
    if (max !== 0 && this.#buffered + chunk.length > max) return this.#refuse('EDGEWAY_BODY_TOO_LARGE');
    if (this.#buffered + chunk.length <= this.#bufferBytes) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      return;
    }
    // Too big to hold: give back what was read and stream the body from its start. Paused first so nothing flows
    // before undici takes the stream (it resumes it).
    const req = this.#rec.req;
    this.#phase = 'streaming';
    this.#chunks.push(chunk);
    req.pause();
    req.unshift(Buffer.concat(this.#chunks, this.#buffered + chunk.length));
    this.#chunks = [];
    this.#buffered = 0;
    this.#owner.forward(this.#rec, this.#res, req);
  }

  end(): void {
    if (this.#phase !== 'buffering') return;
    this.#phase = 'done';
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#buffered);
    this.#chunks = [];
    this.#owner.forward(this.#rec, this.#res, body);
  }

  checkClient(now: number): boolean {
    const req = this.#rec.req;
    if (this.#phase === 'done' || req.readableEnded || req.destroyed || this.#res.writableEnded) return true;
    if (this.#requestTimeoutMs !== 0 && now - this.#rec.started >= this.#requestTimeoutMs) return this.#timedOut('EDGEWAY_REQUEST_TIMEOUT');
    if (this.#received !== this.#receivedSeen || req.isPaused()) {
      this.#receivedSeen = this.#received;
      this.#idleSince = now;
      return false;
    }
    return this.#bodyTimeoutMs !== 0 && now - this.#idleSince >= this.#bodyTimeoutMs ? this.#timedOut('EDGEWAY_BODY_TIMEOUT') : false;
  }

  #timedOut(code: Code): boolean {
    if (this.#phase === 'buffering') this.#refuse(code);
    else {
      this.#phase = 'done';
      this.#res.destroy();
    }
    return true;
  }

  #refuse(code: Code): void {
    this.#phase = 'done';
    this.#chunks = [];
    this.#owner.refuseBody(this.#rec, this.#res, code);
  }
}

/** The body rides on its request, so the stream listeners are shared functions, not closures. */
const kBody = Symbol('edgeway.body');
type BodyRequest = DownstreamRequest & { [kBody]?: RequestBody };

function onBodyData(this: BodyRequest, chunk: Buffer): void {
  this[kBody]?.data(chunk);
}

function onBodyEnd(this: BodyRequest): void {
  this[kBody]?.end();
}
