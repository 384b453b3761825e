/**
 * The `undici-floor` reference system, run as its own process: the smallest proxy one can write on undici's dispatch
 * API — no routing, no header work beyond dropping the hop-by-hop headers undici and Node insist on, no logging, no error pages. It is
 * not a product; it marks the floor a Node proxy on node:http + undici can reach on this machine, so edgeway's cost
 * above it is measured rather than guessed.
 *
 * Usage: node perf/undici-floor-peer.ts --target http://127.0.0.1:PORT [--port 0] [--cert FILE --key FILE]. With a
 * certificate it serves HTTPS through node:https, the floor for TLS termination. Prints `{"port":N}` once listening;
 * exits when its stdin closes or on SIGTERM.
 */

import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { parseArgs } from 'node:util';
import { Pool, type Dispatcher } from 'undici';

const { values } = parseArgs({
  options: { target: { type: 'string' }, port: { type: 'string', default: '0' }, cert: { type: 'string' }, key: { type: 'string' } },
});
if (values.target === undefined) {
  process.stderr.write('undici-floor-peer: --target http://127.0.0.1:PORT is required\n');
  process.exit(2);
}

const pool = new Pool(values.target, { connections: 128 });

const proxy: RequestListener = (req, res) => {
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart() {},
    onResponseStart(_c, status, headers) {
      delete headers.connection;
      delete headers['keep-alive'];
      res.writeHead(status, headers as Record<string, string>);
    },
    onResponseData(_c, chunk) {
      res.write(chunk);
    },
    onResponseEnd() {
      res.end();
    },
    onResponseError() {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    },
  };
  // undici refuses hop-by-hop request headers (Connection, Keep-Alive): drop them, nothing else.
  const raw = req.rawHeaders;
  const headers: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 10 && (name === 'Connection' || name === 'connection' || name === 'Keep-Alive' || name === 'keep-alive')) continue;
    headers.push(name, raw[i + 1]!);
  }
  pool.dispatch({ path: req.url ?? '/', method: req.method as 'GET', headers, body: null }, handler);
};
const { cert, key } = values;
const server =
  cert === undefined || key === undefined ? createHttpServer(proxy) : createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, proxy);
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('undici-floor-peer: no TCP address');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});

const shutdown = (): void => {
  server.closeAllConnections();
  void pool.destroy();
  server.close(() => process.exit(0));
};
process.stdin.on('end', shutdown).on('close', shutdown).resume();
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
