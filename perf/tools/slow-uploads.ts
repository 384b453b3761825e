/**
 * Slow uploads against a well-behaved client of the same backend: `--slow` connections POST a body one byte a
 * second to one backend while `--clients` keep-alive clients send GETs and small POSTs to it for `--seconds`; prints
 * the well-behaved clients' latency (p50, p99, max), their errors, and how many slow uploads reached the backend.
 * The bar: p99 under 50 ms and no error while 140 slow uploads run. `--buffering off` runs edgeway with
 * `requestBuffering: false`, to see what request buffering prevents; `--pool N` sets `upstream.connections`.
 *
 * edgeway runs as its own process (the build's dist/cli/main.js: run `npx tsc -p tsconfig.build.json` first); the
 * backend, the slow uploads and the measured clients share this process.
 *
 * Usage: node perf/tools/slow-uploads.ts [--slow 140] [--clients 4] [--seconds 10] [--pool N] [--buffering on|off]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ChildProcesses } from '../child-processes.ts';
import { startEdgewayProcess } from '../edgeway-process.ts';
import { edgewayConfig } from '../systems/edgeway-config.ts';

const { values } = parseArgs({
  options: {
    slow: { type: 'string', default: '140' },
    clients: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '10' },
    pool: { type: 'string' },
    buffering: { type: 'string', default: 'on' },
  },
});
const SLOW = Number(values.slow);
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const HOST = 'slow.bench';
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'main.js');

let slowAtBackend = 0;
const backend = createServer((req, res) => {
  if (req.url === '/slow') slowAtBackend++;
  req.resume();
  req.on('end', () => res.end('ok'));
});
await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', () => resolve()));
const backendPort = (backend.address() as { port: number }).port;

const dir = await mkdtemp(join(tmpdir(), 'edgeway-slow-uploads-'));
const config = join(dir, 'edgeway.yaml');
const downstream = values.buffering === 'off' ? { requestBuffering: false } : {};
const upstream = values.pool === undefined ? {} : { connections: Number(values.pool) };
await writeFile(config, edgewayConfig({ backendPort, hosts: [HOST], settings: { downstream, upstream } }));
const procs = new ChildProcesses();
const edgeway = await startEdgewayProcess(procs, 'edgeway', CLI, config, join(dir, 'state'));
const port = Number(new URL(edgeway.url).port);

// The slow uploads: a head announcing 1,000 bytes, then one byte a second from one shared timer.
const slow: Socket[] = [];
let slowClosed = 0;
for (let i = 0; i < SLOW; i++) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  socket.once('close', () => slowClosed++);
  socket.write(`POST /slow HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 1000\r\n\r\n`);
  slow.push(socket);
}
const drip = setInterval(() => {
  for (const s of slow) if (!s.destroyed) s.write('x');
}, 1000);

// The well-behaved clients, after the slow uploads had a second to arrive.
await new Promise((resolve) => setTimeout(resolve, 1000));
const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
const latencies: number[] = [];
let errors = 0;
const until = performance.now() + SECONDS * 1000;

function once(i: number): Promise<void> {
  return new Promise((resolve) => {
    const started = performance.now();
    const post = i % 2 === 1;
    const req = request({ host: '127.0.0.1', port, path: '/good', method: post ? 'POST' : 'GET', agent, headers: { host: HOST } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(performance.now() - started);
        else errors++;
        resolve();
      });
      res.on('error', () => {
        errors++;
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(post ? 'a small body' : undefined);
  });
}

async function client(): Promise<void> {
  for (let i = 0; performance.now() < until; i++) await once(i);
}
await Promise.all(Array.from({ length: CLIENTS }, client));

clearInterval(drip);
const closedDuringRun = slowClosed;
for (const s of slow) s.destroy();
agent.destroy();
await procs.stopAll();
backend.closeAllConnections();
backend.close();
await rm(dir, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const at = (q: number): string => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN).toFixed(1);
process.stdout.write(
  `slow uploads ${SLOW} (buffering ${values.buffering}), well-behaved clients ${CLIENTS} for ${SECONDS} s\n` +
    `requests ${latencies.length + errors}, errors ${errors}, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms\n` +
    `slow uploads that reached the backend ${slowAtBackend}, closed by edgeway during the run ${closedDuringRun}\n`,
);
