/**
 * The request and response types an entrypoint handles: node:http's for HTTP/1.1 (plain, or over TLS), and
 * node:http2's compatibility API for HTTP/2 clients of the HTTPS listeners (secure-listener.ts). Both offer what the
 * data plane uses, so one handler serves both without adapters on the hot path. The response is described by the
 * members edgeway calls, because the two classes' overloads cannot be called through a plain union.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';

export type DownstreamRequest = IncomingMessage | Http2ServerRequest;

export interface DownstreamResponse {
  statusCode: number;
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  readonly req: { readonly httpVersionMajor: number; readonly httpVersionMinor: number };
  writeHead(statusCode: number, headers?: OutgoingHttpHeaders | (string | string[])[]): unknown;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  /** A `103 Early Hints` before the final response (HTTP/1.1 and HTTP/2). */
  writeEarlyHints(hints: Record<string, string | string[]>): unknown;
  write(chunk: Buffer): boolean;
  end(chunk?: Buffer): unknown;
  destroy(error?: Error): unknown;
  once(event: 'close' | 'drain', listener: () => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  /** A retried exchange hands the response on (proxy-exchange.ts). */
  off(event: 'close' | 'drain', listener: () => void): unknown;
}

/** Makes an HTTP/1.1 response its connection's last (`Connection: close`) when a listener closes; HTTP/2 gets GOAWAY. */
export function closeAfter(res: DownstreamResponse): void {
  if (res.req.httpVersionMajor === 1) (res as ServerResponse).shouldKeepAlive = false;
}

/**
 * Set on an HTTP/1 socket by the clientError handler when Node's parser gave up on it: a pipelined request still
 * waiting for its turn whose body is incomplete will never get the rest.
 */
export const kParserFailed = Symbol('edgeway.parser-failed');
