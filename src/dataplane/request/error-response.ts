/**
 * The answers edgeway gives itself when it cannot proxy: a status from the code table, a one-line plain-text body,
 * `Server: edgeway` and `X-Edgeway-Error: <code>` so a person (or a test) can tell edgeway's 502 from a backend's.
 * Bodies are built once at start-up.
 */
import { STATUS_CODES } from 'node:http';
import { Http2ServerResponse } from 'node:http2';
import { CODES, type Code } from '../../errors.ts';
import type { DownstreamResponse } from './downstream.ts';

interface Prepared {
  readonly status: number;
  readonly body: Buffer;
  readonly length: string;
}

const prepared = new Map<string, Prepared>();
for (const [code, info] of Object.entries(CODES) as [Code, (typeof CODES)[Code]][]) {
  if (!('status' in info)) continue;
  const body = Buffer.from(`${info.status} ${STATUS_CODES[info.status] ?? ''}: ${info.summary}\n`);
  prepared.set(code, { status: info.status, body, length: String(body.length) });
}

export function statusOf(code: Code): number {
  return prepared.get(code)?.status ?? 500;
}

/** The length of the body sendError writes for `code`, for the access log. */
export function errorBodyBytes(code: Code): number {
  return prepared.get(code)?.body.length ?? 0;
}

/** Writes the error response unless headers already went out, in which case the connection is cut. */
export function sendError(res: DownstreamResponse, code: Code, requestId: string | undefined, close = false): number {
  const p = prepared.get(code);
  if (p === undefined) throw new Error(`${code} has no HTTP status`);
  if (res.headersSent) {
    res.destroy();
    return p.status;
  }
  res.statusCode = p.status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', p.length);
  res.setHeader('server', 'edgeway');
  res.setHeader('x-edgeway-error', code);
  if (requestId !== undefined) res.setHeader('x-request-id', requestId);
  // HTTP/2 has no Connection header (Node throws on it); closing there is the session's business. The class tells an
  // HTTP/2 stream, not the request line's version: an HTTP/1 client may write `HTTP/2.0` there.
  if (close && !(res instanceof Http2ServerResponse)) res.setHeader('connection', 'close');
  res.end(p.body);
  return p.status;
}
