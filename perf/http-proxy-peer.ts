/**
 * The `http-proxy` system under test, run as its own process: node-http-proxy in front of the bench backend with a
 * keep-alive agent (keepAlive, 128 sockets), which is how it is deployed when people care about throughput. It is
 * the "plain Node reverse proxy" baseline edgeway is compared with.
 *
 * Usage: node perf/http-proxy-peer.ts --target http://127.0.0.1:PORT [--port 0]. Prints `{"port":N}` once listening;
 * exits when its stdin closes or on SIGTERM.
 */

import { Agent, createServer } from 'node:http';
import { parseArgs } from 'node:util';
import httpProxy from 'http-proxy';

const { values } = parseArgs({ options: { target: { type: 'string' }, port: { type: 'string', default: '0' } } });
if (values.target === undefined) {
  process.stderr.write('http-proxy-peer: --target http://127.0.0.1:PORT is required\n');
  process.exit(2);
}

const agent = new Agent({ keepAlive: true, maxSockets: 128 });
// xfwd: X-Forwarded-For/-Port/-Proto/-Host, as edgeway sets them (it has no request id and no access log).
const proxy = httpProxy.createProxyServer({ target: values.target, agent, xfwd: true });
proxy.on('error', (err, _req, res) => {
  // res is a Socket for upgrade errors; the bench only sends plain requests.
  if ('writeHead' in res && !res.headersSent) {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`bad gateway: ${err.message}`);
  } else {
    res.destroy();
  }
});

const server = createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('http-proxy-peer: no TCP address');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});

const shutdown = (): void => {
  server.closeAllConnections();
  agent.destroy();
  server.close(() => process.exit(0));
};
process.stdin.on('end', shutdown).on('close', shutdown).resume();
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
