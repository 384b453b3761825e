/**
 * The benchmark's backend, run as its own process: answers every HTTP/1.1 request with the same fixed response
 * (`--size` bytes of body; 11 is `hello world`), keep-alive on. Every system under test proxies to it, so it must be
 * as cheap as possible and identical for all of them: the 2 cores are shared by the load generator, the proxy and
 * this backend, and every CPU microsecond it spends per request is one the proxy cannot have. It is therefore a raw
 * TCP responder with the whole answer prebuilt, not a `node:http` server (which cost 20–22 CPU µs per request here,
 * as much as half the proxy's own cost): it reads only where each request ends (perf/request-framer.ts).
 *
 * Usage: node perf/backend.ts --size 11 [--port 0] [--delay MS]. `--delay` answers every request that many
 * milliseconds late (the slow endpoint of the balancing scenarios). Prints one JSON line `{"port":N}` once listening; exits when its
 * stdin closes (the bench holds it open) or on SIGTERM.
 */

import { createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { RequestFramer, type FramedRequest } from './request-framer.ts';

const { values } = parseArgs({
  options: { size: { type: 'string', default: '11' }, port: { type: 'string', default: '0' }, delay: { type: 'string', default: '0' } },
});
const delayMs = Number(values.delay);
const size = Number(values.size);
if (!Number.isInteger(size) || size < 0) {
  process.stderr.write(`backend: --size must be a non-negative integer, got ${values.size}\n`);
  process.exit(2);
}

/** `hello world` repeated and cut to the size, so the 11-byte body is exactly `hello world`. */
function makeBody(bytes: number): Buffer {
  const unit = 'hello world';
  return Buffer.from(unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes), 'latin1');
}

const body = makeBody(size);

/** The head with a Date refreshed once a second (an origin server with a clock sends one), and head + body. */
let head = Buffer.alloc(0);
let whole = Buffer.alloc(0);
function buildAnswer(): void {
  head = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\ndate: ${new Date().toUTCString()}\r\n\r\n`, 'latin1');
  whole = Buffer.concat([head, body]);
}
buildAnswer();
setInterval(buildAnswer, 1000).unref();

function answer(socket: Socket, request: FramedRequest): void {
  if (socket.destroyed || socket.writableEnded) return;
  if (request.close) socket.end(request.isHead ? head : whole);
  else socket.write(request.isHead ? head : whole);
}

const sockets = new Set<Socket>();
const server = createServer({ noDelay: true }, (socket) => {
  sockets.add(socket);
  const framer = new RequestFramer();
  socket.on('data', (chunk: Buffer) => {
    let requests: FramedRequest[];
    try {
      requests = framer.push(chunk);
    } catch {
      socket.destroy();
      return;
    }
    if (delayMs > 0) {
      for (const request of requests) setTimeout(answer, delayMs, socket, request);
      return;
    }
    // Pipelined requests read together are answered in one write.
    if (requests.length > 1) socket.cork();
    for (const request of requests) answer(socket, request);
    if (requests.length > 1) socket.uncork();
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => sockets.delete(socket));
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('backend: no TCP address');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});

const shutdown = (): void => {
  for (const socket of sockets) socket.destroy();
  server.close(() => process.exit(0));
};
process.stdin.on('end', shutdown).on('close', shutdown).resume();
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
