/**
 * The bench's command line, parsed into one frozen options object. Pure: the caller passes argv and the names of
 * the scenarios that exist, so `--only` typos fail before any process starts.
 */

import { parseArgs } from 'node:util';

export interface BenchOptions {
  readonly reps: number;
  /** Seconds of measured load per run. */
  readonly durationSec: number;
  /** Seconds of unmeasured load after each start, before the measured run. */
  readonly warmupSec: number;
  readonly connections: number;
  /** Scenario or group names to run; empty means all. */
  readonly only: readonly string[];
  /** Short runs, 1 repetition, checks answers only (never timings). */
  readonly smoke: boolean;
  /** Start edgeway with --cpu-prof into perf/profiles. */
  readonly profile: boolean;
  /**
   * `--workers N`: run the workers comparison (edgeway with N workers, nginx with N worker processes, both with one);
   * null when not given.
   */
  readonly workers: number | null;
  readonly help: boolean;
}

export const BENCH_USAGE = `usage: node perf/bench.ts [--smoke] [--profile] [--reps N] [--duration S] [--warmup S]
                          [--connections N] [--only name,name] [--workers N]
  --smoke        1 repetition, 1 s runs, 10 connections; checks that every system answers 2xx without errors
  --profile      start edgeway with --cpu-prof --cpu-prof-dir perf/profiles
  --reps N       repetitions; every process is restarted between them (default 3)
  --duration S   seconds of measured load per run (default 10)
  --warmup S     seconds of warm-up load after each start (default 2)
  --connections N  autocannon connections (default 100)
  --workers N    compare edgeway with N workers, nginx with worker_processes N, and both with one (the
                 workers group; alone, it runs only that group)
  --only LIST    comma-separated names: systems (direct, edgeway, http-proxy, nginx, ingress-path, lb-http,
                 l4-direct, l4-edgeway, edgeway-https, nginx-https, edgeway-handshakes, nginx-handshakes,
                 edgeway-plain, edgeway-health, balance-round-robin, balance-least-request, balance-ewma)
                 or groups (proxy, routing, addresses, tls, health, balancing, reload, workers;
                 reload runs only when named here, workers only with --workers)`;

/** Throws an Error whose message is meant for the person at the terminal. */
export function parseBenchOptions(argv: readonly string[], knownNames: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      smoke: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false, short: 'h' },
      reps: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      workers: { type: 'string' },
    },
  });
  const smoke = values.smoke;
  const only =
    values.only === undefined
      ? []
      : values.only
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  const unknown = only.filter((name) => !knownNames.includes(name));
  if (unknown.length > 0) {
    throw new Error(`--only: unknown name ${unknown.join(', ')}; known names are ${knownNames.join(', ')}`);
  }
  return Object.freeze({
    reps: positiveInteger('--reps', values.reps, smoke ? 1 : 3),
    durationSec: positiveInteger('--duration', values.duration, smoke ? 1 : 10),
    warmupSec: nonNegativeInteger('--warmup', values.warmup, smoke ? 1 : 2),
    connections: positiveInteger('--connections', values.connections, smoke ? 10 : 100),
    only: Object.freeze(only),
    smoke,
    profile: values.profile,
    workers: values.workers === undefined ? null : positiveInteger('--workers', values.workers, 1),
    help: values.help,
  });
}

function positiveInteger(flag: string, text: string | undefined, fallback: number): number {
  const value = nonNegativeInteger(flag, text, fallback);
  if (value === 0) throw new Error(`${flag} must be at least 1`);
  return value;
}

function nonNegativeInteger(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  // autocannon takes whole seconds; fractions would be silently truncated, so refuse them here.
  if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} must be a whole number, got "${text}"`);
  return value;
}

/** Whether a scenario runs under `--only`: named itself, or its group named, or no filter. */
export function selected(options: BenchOptions, name: string, group: string): boolean {
  return options.only.length === 0 || options.only.includes(name) || options.only.includes(group);
}
