/**
 * What edgeway answers when Node's parser rejects a request: 431 for oversized headers, 408 for a header timeout,
 * 400 for the rest, always with `Connection: close`. If a response to an earlier, good request on the same
 * connection is still being written, it is allowed to finish first: a bad trailing request must never cut it; if that
 * response is the connection's last, nothing is added after it.
 *
 * A parser failure inside the body of the request being answered (a malformed chunk size) belongs to that request:
 * its exchange aborts the upstream request and answers 400 at once, rather than both waiting for a timeout. Any
 * other failure of the request in flight itself (a body too slow for the request timeout, a malformed body still
 * being buffered) is answered at once too: its response waits on that very body.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../../log.ts';
import type { RejectionCounters } from '../../metrics/rejection-counters.ts';
import { kParserFailed } from '../request/downstream.ts';
import { refuseMalformedBody } from '../request/proxy-exchange.ts';

/** What is read of the response in flight on a connection (Node's `socket._httpMessage`). */
type ParsedSocket = Socket & { _httpMessage?: InFlight | null; [kParserFailed]?: boolean };

/** The response being written on a connection, as Node keeps it on the socket. */
interface InFlight {
  readonly writableFinished: boolean;
  readonly headersSent: boolean;
  /** Set by Node once the response is known to be its connection's last. */
  readonly _last?: boolean;
  readonly req?: { readonly complete: boolean };
  once(event: 'finish', listener: () => void): unknown;
}

const RESPONSES: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: response(431, 'Request Header Fields Too Large', 'request headers are too large'),
  ERR_HTTP_REQUEST_TIMEOUT: response(408, 'Request Timeout', 'the request took too long to arrive'),
};
const BAD_REQUEST = response(400, 'Bad Request', 'malformed request');
/** The request in flight broke its own body's framing (a malformed chunk) before it went upstream. */
const MALFORMED_BODY = response(400, 'Bad Request', 'the request body is malformed', 'X-Edgeway-Error: EDGEWAY_BODY_MALFORMED\r\n');

function response(status: number, reason: string, text: string, extraHeaders = ''): string {
  const body = `${status} ${reason}: ${text}\n`;
  return (
    `HTTP/1.1 ${status} ${reason}\r\nServer: edgeway\r\n${extraHeaders}Content-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** @param counters where refusals are counted (front-door metrics); a reset or dead socket is not a refusal. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket, logger: Logger, counters: RejectionCounters | null = null): void {
  logger.debug({ err: { code: err.code, message: err.message }, remote: socket.remoteAddress }, 'client error');
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  counters?.parserRefused(err.code);
  const answer = RESPONSES[err.code ?? ''] ?? BAD_REQUEST;
  const parsed = socket as ParsedSocket;
  parsed[kParserFailed] = true;
  const inFlight = parsed._httpMessage;
  if (inFlight && !inFlight.writableFinished && inFlight.req?.complete === false) {
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    // A malformed body already going upstream is its exchange's to refuse (it aborts the upstream request too).
    if (!timedOut && refuseMalformedBody(inFlight)) return;
    // The request that failed is the one in flight: its response waits on that very body, so waiting for it to
    // finish would hold the connection forever. Answer now unless the response has begun, then close once the
    // answer is flushed, which also aborts the request upstream.
    if (inFlight.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(timedOut ? answer : MALFORMED_BODY, () => socket.destroy());
    return;
  }
  if (inFlight && !inFlight.writableFinished) {
    answerAfter(inFlight, parsed, answer);
    return;
  }
  socket.end(answer);
}

/**
 * Answers once the responses on the connection are done: the one in flight, then any pipelined one Node hands the
 * socket next. Node's own 'finish' listener runs first; it already ends a connection whose last response this was.
 */
function answerAfter(inFlight: InFlight, socket: ParsedSocket, answer: string): void {
  inFlight.once('finish', () => {
    if (inFlight._last === true) return;
    const next = socket._httpMessage;
    if (next && next !== inFlight && !next.writableFinished) answerAfter(next, socket, answer);
    else socket.end(answer);
  });
}
