/**
 * The watcher bar of the Kubernetes-compatible API: 100 open watches cost the proxy under 5% of its requests per
 * second. The bench's proxy scenario (autocannon, 100 connections, an 11-byte body, warm-up then a measured run) is run
 * against edgeway as is and against edgeway with --watches idle watches open on its admin API (each as `kubectl get
 * svc -A -w` opens one: every namespace, bookmarks allowed; each first receives the current Services, then nothing, as
 * no object changes during the run). The two alternate within each repetition, which goes first alternating too, and
 * every process (backend included) is restarted for every run, as the bench does; medians and spread over the
 * repetitions, and the paired ratio (watched / plain, measured seconds apart) per repetition with its median.
 *
 * With --paired, as ab-pair.ts does, both edgeways serve at the same time, each under its own autocannon against
 * one backend, restarted every repetition with the first-started alternating: whatever the shared host does in a
 * repetition it does to both, so the ratios are far steadier than those of runs taken one after the other.
 *
 * Usage: node perf/tools/api-watch-cost.ts [--cli dist/cli/main.js] [--reps 3] [--duration 10] [--warmup 2]
 *   [--connections 100] [--watches 100] [--paired]. Build first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { BENCH_HOST, startApiEdgeway } from '../api-edgeway.ts';
import { ChildProcesses } from '../child-processes.ts';
import { startBackend } from '../node-child.ts';
import { processCpuMicros } from '../process-cpu.ts';
import { median } from '../stats.ts';

const { values } = parseArgs({
  options: {
    cli: { type: 'string', default: 'dist/cli/main.js' },
    reps: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '100' },
    watches: { type: 'string', default: '100' },
    paired: { type: 'boolean', default: false },
  },
});
const reps = Number(values.reps);
const watches = Number(values.watches);

interface Run {
  readonly rps: number;
  readonly cpuPerRequest: number;
}

const procs = new ChildProcesses();
const guard = setTimeout(() => {
  process.stderr.write('api-watch-cost: gave up after 5 minutes\n');
  void procs.stopAll().then(() => process.exit(1));
}, 300_000);

/** Opens `count` watches and resolves once each has its response head and its first event. */
async function openWatches(admin: string, count: number): Promise<ClientRequest[]> {
  const opened: Promise<ClientRequest>[] = [];
  for (let i = 0; i < count; i++) {
    opened.push(
      new Promise((resolve, reject) => {
        const req = request(`${admin}/api/v1/services?watch=1&allowWatchBookmarks=true`, { rejectUnauthorized: false, agent: false }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`watch: ${res.statusCode}`));
          res.once('data', () => resolve(req));
          res.resume();
        });
        req.on('error', reject);
        req.end();
      }),
    );
  }
  return Promise.all(opened);
}

async function measure(withWatches: boolean, dir: string): Promise<Run> {
  const backend = await startBackend(procs, 11);
  const edgeway = await startApiEdgeway(procs, 'edgeway', { cli: values.cli, dir, backendPort: backend.port });
  const open = withWatches ? await openWatches(edgeway.admin, watches) : [];
  const drive = (duration: number) => autocannon({ url: edgeway.url, connections: Number(values.connections), duration, headers: { host: BENCH_HOST } });
  await drive(Number(values.warmup));
  const pid = edgeway.child.process.pid;
  const before = processCpuMicros(pid) ?? Number.NaN;
  const result = await drive(Number(values.duration));
  const after = processCpuMicros(pid) ?? Number.NaN;
  if (result.non2xx + result.errors > 0) throw new Error(`the proxy answered with errors (${result.non2xx} non-2xx, ${result.errors} errors)`);
  if (withWatches && open.some((req) => req.destroyed)) throw new Error('a watch ended during the run');
  for (const req of open) req.destroy();
  await Promise.all([edgeway.child.stop(10_000), backend.child.stop(10_000)]);
  return { rps: result.requests.total / Number(values.duration), cpuPerRequest: (after - before) / result.requests.total };
}

/** Both at once: [plain, watched]. */
async function measurePair(first: 'plain' | 'watched', dir: string): Promise<[Run, Run]> {
  const backend = await startBackend(procs, 11);
  const start = (name: string) => startApiEdgeway(procs, name, { cli: values.cli, dir: join(dir, name), backendPort: backend.port });
  const a = await start(first);
  const b = await start(first === 'plain' ? 'watched' : 'plain');
  const [plain, watched] = first === 'plain' ? [a, b] : [b, a];
  const open = await openWatches(watched.admin, watches);
  const drive = (url: string, duration: number) => autocannon({ url, connections: Number(values.connections), duration, headers: { host: BENCH_HOST } });
  const both = (duration: number) => Promise.all([drive(plain.url, duration), drive(watched.url, duration)]);
  await both(Number(values.warmup));
  const pids = [plain.child.process.pid, watched.child.process.pid];
  const before = pids.map((pid) => processCpuMicros(pid) ?? Number.NaN);
  const results = await both(Number(values.duration));
  const after = pids.map((pid) => processCpuMicros(pid) ?? Number.NaN);
  for (const r of results) if (r.non2xx + r.errors > 0) throw new Error(`a proxy answered with errors (${r.non2xx} non-2xx, ${r.errors} errors)`);
  if (open.some((req) => req.destroyed)) throw new Error('a watch ended during the run');
  for (const req of open) req.destroy();
  await Promise.all([plain.child.stop(10_000), watched.child.stop(10_000), backend.child.stop(10_000)]);
  const run = (i: number): Run => ({
    rps: results[i]!.requests.total / Number(values.duration),
    cpuPerRequest: (after[i]! - before[i]!) / results[i]!.requests.total,
  });
  return [run(0), run(1)];
}

try {
  const plain: Run[] = [];
  const watched: Run[] = [];
  for (let rep = 0; rep < reps && values.paired; rep++) {
    const dir = await mkdtemp(join(tmpdir(), 'edgeway-api-watch-cost-'));
    try {
      const [p, w] = await measurePair(rep % 2 === 0 ? 'plain' : 'watched', dir);
      plain.push(p);
      watched.push(w);
      process.stdout.write(
        `rep ${rep + 1}: no watches ${p.rps.toFixed(0)} req/s, ${p.cpuPerRequest.toFixed(1)} µs/req; ${watches} watches ${w.rps.toFixed(0)} req/s, ${w.cpuPerRequest.toFixed(1)} µs/req\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  for (let rep = 0; rep < reps && !values.paired; rep++) {
    const order = rep % 2 === 0 ? [false, true] : [true, false];
    for (const withWatches of order) {
      const dir = await mkdtemp(join(tmpdir(), 'edgeway-api-watch-cost-'));
      try {
        const r = await measure(withWatches, dir);
        (withWatches ? watched : plain).push(r);
        process.stdout.write(
          `rep ${rep + 1} ${withWatches ? `${watches} watches` : 'no watches'}: ${r.rps.toFixed(0)} req/s, ${r.cpuPerRequest.toFixed(1)} µs CPU per request\n`,
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  const range = (xs: readonly number[], digits: number): string => {
    const s = [...xs].sort((a, b) => a - b);
    return `${s[0]!.toFixed(digits)}–${s[s.length - 1]!.toFixed(digits)}`;
  };
  const ratios = watched.map((w, i) => w.rps / plain[i]!.rps);
  const cpuRatios = watched.map((w, i) => w.cpuPerRequest / plain[i]!.cpuPerRequest);
  process.stdout.write(
    `\n| proxy${values.paired ? ' (paired)' : ''}, ${values.connections} connections, ${values.duration} s × ${reps} | req/s median | req/s min–max | µs CPU/req median | µs CPU/req min–max |\n|---|---:|---:|---:|---:|\n`,
  );
  for (const [name, runs] of [
    ['no watches', plain],
    [`${watches} idle watches`, watched],
  ] as const) {
    process.stdout.write(
      `| ${name} | ${median(runs.map((r) => r.rps)).toFixed(0)} | ${range(
        runs.map((r) => r.rps),
        0,
      )} | ${median(runs.map((r) => r.cpuPerRequest)).toFixed(1)} | ${range(
        runs.map((r) => r.cpuPerRequest),
        1,
      )} |\n`,
    );
  }
  process.stdout.write(`\nwatched / plain req/s per rep: ${ratios.map((r) => r.toFixed(3)).join(', ')}; median ${median(ratios).toFixed(3)}\n`);
  process.stdout.write(`watched / plain CPU per request per rep: ${cpuRatios.map((r) => r.toFixed(3)).join(', ')}; median ${median(cpuRatios).toFixed(3)}\n`);
  process.stdout.write(
    median(ratios) > 0.95 ? 'bar met: the watches cost under 5% of requests per second\n' : 'bar missed: the watches cost 5% or more of requests per second\n',
  );
} finally {
  clearTimeout(guard);
  await procs.stopAll();
}
