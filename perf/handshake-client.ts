/**
 * A bounded load client for new TLS handshakes: `concurrency` loops, each opening a fresh TLS connection (no session
 * resumption), sending one HTTP/1.1 request with `Connection: close`, reading the response to the end, and starting
 * over until `duration` seconds have passed. autocannon has no one-request-per-connection mode; this is that mode.
 * Run as its own process (like autocannon); prints one JSON line in autocannon's `-j` shape (the fields load-result.ts
 * reads), with handshakes/s as requests/s and latency per connection.
 *
 * usage: node perf/handshake-client.ts --port N --servername NAME --host HOST --concurrency N --duration S
 */
import { connect } from 'node:tls';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    servername: { type: 'string' },
    host: { type: 'string' },
    concurrency: { type: 'string', default: '10' },
    duration: { type: 'string', default: '5' },
  },
});
const port = Number(values.port);
const servername = values.servername ?? 'localhost';
const request = Buffer.from(`GET / HTTP/1.1\r\nHost: ${values.host ?? servername}\r\nConnection: close\r\n\r\n`);
const deadline = performance.now() + Number(values.duration) * 1000;
/** A connection that takes longer than this is a timeout. */
const TIMEOUT_MS = 10_000;

const latencies: number[] = [];
let ok = 0;
let non2xx = 0;
let errors = 0;
let timeouts = 0;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const started = performance.now();
    let head = '';
    let settled = false;
    const finish = (outcome: 'ok' | 'non2xx' | 'error' | 'timeout'): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (outcome === 'ok') {
        ok++;
        latencies.push(performance.now() - started);
      } else if (outcome === 'non2xx') non2xx++;
      else if (outcome === 'error') errors++;
      else timeouts++;
      resolve();
    };
    const socket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => socket.write(request));
    const timer = setTimeout(() => finish('timeout'), TIMEOUT_MS);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      if (head.length < 16) head += chunk;
    });
    socket.on('end', () => finish(/^HTTP\/1\.1 2\d\d /.test(head) ? 'ok' : 'non2xx'));
    socket.on('error', () => finish('error'));
  });
}

async function loop(): Promise<void> {
  while (performance.now() < deadline) await once();
}

const began = performance.now();
await Promise.all(Array.from({ length: Number(values.concurrency) }, loop));
const seconds = (performance.now() - began) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number): number =>
  latencies.length === 0 ? 0 : Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0) * 100) / 100;
process.stdout.write(
  `${JSON.stringify({ requests: { average: ok / seconds }, latency: { p50: pct(0.5), p99: pct(0.99) }, '2xx': ok, non2xx, errors, timeouts })}\n`,
);
