/**
 * The workers comparison (`--workers N`): edgeway with N workers against nginx with `worker_processes N`, and both
 * with one, in one run, so that "does edgeway scale across cores as nginx does" is a ratio of ratios measured
 * minutes apart on the same machine. CPU per request counts every process of a system (edgeway's primary and
 * workers, nginx's master and workers; process-cpu.ts), and each run reports its processes' resident memory.
 */
import type { BenchOptions } from '../bench-options.ts';
import { processTree, processTreeRssMb } from '../process-cpu.ts';
import { formatMs, formatRate, formatRatio, formatSpread, type Unavailable } from '../report.ts';
import type { RunningTarget, Scenario, StartContext } from '../scenario.ts';
import { BENCH_HOST } from '../scenario.ts';
import type { Summary } from '../stats.ts';
import { ratio } from '../stats.ts';
import { edgewayAvailability, edgewayTakesWorkers, startEdgeway } from './edgeway.ts';
import { nginxScenario } from './nginx.ts';

export const WORKERS_GROUP = 'workers';
const BODY: readonly number[] = [11];

/** The N of `--workers N`; 1 when the group runs by name without it (it does not: see bench.ts). */
function requested(options: BenchOptions): number {
  return options.workers ?? 1;
}

/** Adds, after the load, how many processes the system had and their resident memory (mean and largest). */
function withMemory(target: RunningTarget): RunningTarget {
  return {
    ...target,
    afterLoad: async () => {
      const rss = processTreeRssMb(target.pid);
      const own = target.afterLoad === undefined ? {} : await target.afterLoad();
      if (rss.length === 0) return own;
      return { ...own, processes: processTree(target.pid).length, rssMbMean: rss.reduce((a, b) => a + b, 0) / rss.length, rssMbMax: Math.max(...rss) };
    },
  };
}

function edgewayWorkers(name: string, workers: (options: BenchOptions) => number): Scenario {
  return {
    name,
    group: WORKERS_GROUP,
    bodySizes: BODY,
    // A build without --workers cannot run N workers: reported as not available, not as a failure.
    optional: true,
    availability: async () => {
      const missing = await edgewayAvailability();
      if (missing !== null) return missing;
      return name === 'edgeway-1-worker' || (await edgewayTakesWorkers()) ? null : 'this build of edgeway serve has no --workers flag';
    },
    start: async (ctx: StartContext) => withMemory(await startEdgeway(ctx, { hosts: [BENCH_HOST], loadHost: BENCH_HOST, workers: workers(ctx.options) })),
  };
}

function nginxWorkers(log: (line: string) => void, name: string, workers: (options: BenchOptions) => number): Scenario {
  const scenario = nginxScenario(log, { name, group: WORKERS_GROUP, bodySizes: BODY, workers });
  return { ...scenario, start: async (ctx) => withMemory(await scenario.start(ctx)) };
}

export function workersScenarios(log: (line: string) => void): Scenario[] {
  return [
    edgewayWorkers('edgeway-workers', requested),
    nginxWorkers(log, 'nginx-workers', requested),
    edgewayWorkers('edgeway-1-worker', () => 1),
    nginxWorkers(log, 'nginx-1-worker', () => 1),
  ];
}

/** The table: one row per system, then the ratios the bars are about. */
export function workersTable(summaries: readonly Summary[], unavailable: readonly Unavailable[], workers: number): string {
  const lines = [
    `edgeway and nginx with ${workers} worker(s) and with one; CPU and memory count every process of a system (primary or master, and workers).`,
    '',
    '| system | processes | req/s (median) | spread (min–max) | p50 ms | p99 ms | CPU µs per request | RSS MiB per process (mean, max) | bad responses | runs |',
    '|---|---:|---:|---|---:|---:|---:|---|---:|---:|',
  ];
  const rows = summaries.filter((s) => s.group === WORKERS_GROUP);
  for (const s of rows) {
    const f = s.facts;
    const cpu = f['cpuMicrosPerRequest'] === undefined ? '–' : f['cpuMicrosPerRequest'].toFixed(1);
    const rss = f['rssMbMean'] === undefined || f['rssMbMax'] === undefined ? '–' : `${f['rssMbMean'].toFixed(0)}, ${f['rssMbMax'].toFixed(0)}`;
    lines.push(
      `| ${s.scenario} | ${f['processes'] ?? '–'} | ${formatRate(s.requestsPerSec.median)} | ${formatSpread(s.requestsPerSec)} | ${formatMs(s.latencyP50Ms)} | ${formatMs(s.latencyP99Ms)} | ${cpu} | ${rss} | ${s.badResponses} | ${s.runs} |`,
    );
  }
  for (const u of unavailable.filter((x) => x.group === WORKERS_GROUP)) lines.push(`| ${u.scenario} | not available |${' – |'.repeat(7)} 0 |`);
  const size = BODY[0] ?? 11;
  const cpuOf = (name: string): number => rows.find((s) => s.scenario === name)?.facts['cpuMicrosPerRequest'] ?? Number.NaN;
  lines.push(
    '',
    `req/s edgeway/nginx: ${workers} worker(s) ${formatRatio(ratio(summaries, 'edgeway-workers', 'nginx-workers', size))}, ` +
      `one worker ${formatRatio(ratio(summaries, 'edgeway-1-worker', 'nginx-1-worker', size))}`,
    `req/s with ${workers} worker(s) over one: edgeway ${formatRatio(ratio(summaries, 'edgeway-workers', 'edgeway-1-worker', size))}, ` +
      `nginx ${formatRatio(ratio(summaries, 'nginx-workers', 'nginx-1-worker', size))}`,
    `CPU µs per request with ${workers} worker(s) over one: edgeway ${formatRatio(cpuOf('edgeway-workers') / cpuOf('edgeway-1-worker'))}, ` +
      `nginx ${formatRatio(cpuOf('nginx-workers') / cpuOf('nginx-1-worker'))}`,
  );
  return lines.join('\n');
}
