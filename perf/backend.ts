/**
 * The benchmark's backend, run as its own process: a minimal Node `http` server answering every request with the
 * same fixed body (`--size` bytes; 11 is `hello world`), keep-alive on. Every system under test proxies to it, so it
 * must be as cheap as possible and identical for all of them.
 *
 * Usage: node perf/backend.ts --size 11 [--port 0] [--delay MS]. `--delay` answers every request that many
 * milliseconds late (the slow endpoint of the balancing scenarios). Prints one JSON line `{"port":N}` once listening; exits when its
 * stdin closes (the bench holds it open) or on SIGTERM.
 */

import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { size: { type: 'string', default: '11' }, port: { type: 'string', default: '0' }, delay: { type: 'string', default: '0' } } });
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
const contentLength = String(body.length);

const server = createServer((req, res) => {
  // Drain any request body before answering, so the connection stays reusable.
  req.resume();
  if (delayMs > 0) setTimeout(answer, delayMs, res);
  else answer(res);
});

function answer(res: import('node:http').ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': contentLength });
  res.end(body);
}
// Load is continuous, but proxies may idle a pooled connection between warm-up and run; don't drop it after 5 s.
server.keepAliveTimeout = 60_000;

server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('backend: no TCP address');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});

const shutdown = (): void => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.stdin.on('end', shutdown).on('close', shutdown).resume();
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
