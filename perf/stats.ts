/**
 * The numbers the report shows, computed from raw measurements: medians with their min–max spread per system and
 * body size, and edgeway's ratios to the other systems from medians of the same run. Pure.
 *
 * Medians, not means: with 2 shared cores a single disturbed run is common and should not drag the result.
 */

import type { LoadResult } from './load-result.ts';

export interface Measurement {
  readonly scenario: string;
  readonly group: string;
  readonly bodySize: number;
  readonly rep: number;
  /** Null when the system failed to start or the load run failed; `error` says why. */
  readonly result: LoadResult | null;
  readonly error: string | null;
  /** Extra facts a system reports at start (e.g. compileMs, readyMs). */
  readonly facts: Readonly<Record<string, number | string>>;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface Summary {
  readonly scenario: string;
  readonly group: string;
  readonly bodySize: number;
  /** Runs that produced a result. */
  readonly runs: number;
  readonly failedRuns: number;
  readonly requestsPerSec: Spread;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** errors + timeouts + non-2xx answers over all runs. */
  readonly badResponses: number;
  /** Median of each numeric fact across runs. */
  readonly facts: Readonly<Record<string, number>>;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** One summary per (scenario, body size), in the order they were first measured. */
export function summarize(measurements: readonly Measurement[]): Summary[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.scenario}\0${m.bodySize}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [m]);
    else list.push(m);
  }
  return [...groups.values()].map((list) => {
    const first = list[0] as Measurement;
    const results = list.flatMap((m) => (m.result === null ? [] : [m.result]));
    const factNames = new Set(list.flatMap((m) => Object.keys(m.facts)));
    const facts: Record<string, number> = {};
    for (const name of factNames) {
      const values = list.flatMap((m) => (typeof m.facts[name] === 'number' ? [m.facts[name]] : []));
      if (values.length > 0) facts[name] = median(values);
    }
    return {
      scenario: first.scenario,
      group: first.group,
      bodySize: first.bodySize,
      runs: results.length,
      failedRuns: list.length - results.length,
      requestsPerSec: results.length === 0 ? { median: Number.NaN, min: Number.NaN, max: Number.NaN } : spread(results.map((r) => r.requestsPerSec)),
      latencyP50Ms: median(results.map((r) => r.latencyP50Ms)),
      latencyP99Ms: median(results.map((r) => r.latencyP99Ms)),
      badResponses: results.reduce((sum, r) => sum + r.errors + r.timeouts + r.non2xx, 0),
      facts,
    };
  });
}

/** What a paired ratio compares: requests per second, or requests per CPU-second of the proxy process. */
export type PairedMetric = 'throughput' | 'efficiency';

/**
 * `numerator`'s req/s over `denominator`'s within each repetition where both ran: the two ran minutes apart at most,
 * so the host's slow drift cancels out of each ratio, which a ratio of medians taken over the whole run does not do.
 * With `efficiency`, requests per CPU-second instead (the inverse of CPU per request): what each proxy does with the
 * CPU it gets, which the two shared cores do not compress the way they compress a faster proxy's req/s.
 */
export function pairedRatios(
  measurements: readonly Measurement[],
  numerator: string,
  denominator: string,
  bodySize: number,
  metric: PairedMetric = 'throughput',
): number[] {
  const value = (name: string, rep: number): number => {
    const m = measurements.find((x) => x.scenario === name && x.bodySize === bodySize && x.rep === rep);
    if (metric === 'throughput') return m?.result?.requestsPerSec ?? Number.NaN;
    const cpu = m?.result === null ? undefined : m?.facts['cpuMicrosPerRequest'];
    return typeof cpu === 'number' ? 1e6 / cpu : Number.NaN;
  };
  const reps = [...new Set(measurements.filter((m) => m.bodySize === bodySize).map((m) => m.rep))].sort((a, b) => a - b);
  return reps.map((rep) => value(numerator, rep) / value(denominator, rep)).filter((r) => Number.isFinite(r));
}

/** median req/s of `numerator` over `denominator` for one body size; NaN when either is missing. */
export function ratio(summaries: readonly Summary[], numerator: string, denominator: string, bodySize: number): number {
  const find = (name: string): number => summaries.find((s) => s.scenario === name && s.bodySize === bodySize)?.requestsPerSec.median ?? Number.NaN;
  return find(numerator) / find(denominator);
}
