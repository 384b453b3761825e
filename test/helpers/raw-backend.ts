/**
 * A raw HTTP/1.1 backend on a net server, for tests that must see exactly what edgeway put on the wire: it parses
 * request heads and Content-Length or chunked bodies itself, records every complete request, answers `200 ok`, and
 * closes a keep-alive connection after `idleMs` without any Keep-Alive hint (as many real backends do), which is what
 * makes the keep-alive race reproducible. Anything it cannot parse is recorded as garbage and the connection closed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { ExecutionContext } from 'ava';

export interface SeenRequest {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  /** [name, value] in arrival order, names as sent. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

export interface RawBackend {
  readonly port: number;
  readonly requests: SeenRequest[];
  /** Bytes that were not a parsable request. */
  readonly garbage: string[];
  readonly server: Server;
}

export interface RawBackendOptions {
  /** Close a connection idle this long after a response; 0 = never. */
  readonly idleMs?: number;
  /** The response to a request (default `200 ok`). */
  readonly respond?: (req: SeenRequest) => string;
}

export async function rawBackend(t: ExecutionContext, options: RawBackendOptions = {}): Promise<RawBackend> {
  const requests: SeenRequest[] = [];
  const garbage: string[] = [];
  const sockets = new Set<Socket>();
  const respond = options.respond ?? (() => 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok');
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = Buffer.alloc(0);
    let idle: NodeJS.Timeout | null = null;
    socket.on('data', (chunk: Buffer) => {
      if (idle !== null) clearTimeout(idle);
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const parsed = parseRequest(buffer);
        if (parsed === 'incomplete') break;
        if (parsed === 'bad') {
          garbage.push(buffer.toString('latin1'));
          socket.destroy();
          return;
        }
        requests.push(parsed.request);
        buffer = buffer.subarray(parsed.used);
        socket.write(respond(parsed.request));
      }
      if (options.idleMs !== undefined && options.idleMs > 0 && buffer.length === 0) idle = setTimeout(() => socket.destroy(), options.idleMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return { port: typeof address === 'object' && address !== null ? address.port : 0, requests, garbage, server };
}

function parseRequest(buffer: Buffer): { request: SeenRequest; used: number } | 'incomplete' | 'bad' {
  const end = buffer.indexOf('\r\n\r\n');
  if (end === -1) return buffer.length > 65536 ? 'bad' : 'incomplete';
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^([A-Z]+(?:-[A-Z]+)*) (\S+) (HTTP\/1\.[01])$/.exec(lines[0] ?? '');
  if (m === null) return 'bad';
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) return 'bad';
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  const lengths = headers.filter(([n]) => n.toLowerCase() === 'content-length');
  const te = headers.filter(([n]) => n.toLowerCase() === 'transfer-encoding');
  const hosts = headers.filter(([n]) => n.toLowerCase() === 'host');
  if (hosts.length !== 1 || (lengths.length > 0 && te.length > 0) || lengths.length > 1 || te.length > 1) return 'bad';
  let at = end + 4;
  let body = Buffer.alloc(0);
  if (te.length === 1) {
    if (te[0]![1].toLowerCase() !== 'chunked') return 'bad';
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = buffer.indexOf('\r\n', at);
      if (lineEnd === -1) return 'incomplete';
      const size = parseInt(buffer.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
      if (Number.isNaN(size)) return 'bad';
      if (buffer.length < lineEnd + 2 + size + 2) return 'incomplete';
      if (size === 0) {
        at = lineEnd + 4;
        break;
      }
      parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (lengths.length === 1) {
    const n = Number(lengths[0]![1]);
    if (!/^[0-9]+$/.test(lengths[0]![1])) return 'bad';
    if (buffer.length < at + n) return 'incomplete';
    body = Buffer.from(buffer.subarray(at, at + n));
    at += n;
  }
  return { request: { method: m[1]!, target: m[2]!, version: m[3]!, headers, body }, used: at };
}
