/**
 * What edgeway answers when Node's parser rejects a request: 431 for oversized headers, 408 for a header timeout,
 * 400 for the rest, always with `Connection: close`. If a response to an earlier, good request on the same
 * connection is still being written, it is allowed to finish first: a bad trailing request must never cut it. A
 * request timeout of the request in flight itself (a body arriving too slowly) is answered at once.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../../log.ts';
import type { RejectionCounters } from '../../metrics/rejection-counters.ts';

const RESPONSES: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: response(431, 'Request Header Fields Too Large', 'request headers are too large'),
  ERR_HTTP_REQUEST_TIMEOUT: response(408, 'Request Timeout', 'the request took too long to arrive'),
};
const BAD_REQUEST = response(400, 'Bad Request', 'malformed request');

function response(status: number, reason: string, text: string): string {
  const body = `${status} ${reason}: ${text}\n`;
  return (
    `HTTP/1.1 ${status} ${reason}\r\nServer: edgeway\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** The response being written on a connection, as Node keeps it on the socket. */
interface InFlight {
  readonly writableFinished: boolean;
  readonly headersSent: boolean;
  readonly req: { readonly complete: boolean };
  once(event: string, listener: () => void): void;
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
  const inFlight = (socket as Socket & { _httpMessage?: InFlight })._httpMessage;
  if (inFlight && !inFlight.writableFinished && inFlight.req.complete === false) {
    // The request that timed out is the one in flight (a slow body): its response waits on that very body, so
    // waiting for it to finish would hold the connection forever. Answer now unless the response has begun, then
    // close once the answer is flushed, which also aborts the request upstream.
    if (inFlight.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(answer, () => socket.destroy());
    return;
  }
  if (inFlight && !inFlight.writableFinished) {
    inFlight.once('finish', () => socket.end(answer));
    return;
  }
  socket.end(answer);
}
