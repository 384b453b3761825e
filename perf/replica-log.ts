/**
 * Reads a replica's log for where its time went: the `configuration reloaded` lines edgeway writes after each reload
 * (epoch-ms `time`, `trigger`, wall `ms`, and `cpuMs` by phase), summarised over a time window. The replica-propagation
 * tool prints these beside its figures, so a missed bar comes with the reload times that explain it. One reload
 * that served several triggers (a write's own and the watch's, say) is logged once per trigger with the same
 * generation; it is counted once. Pure.
 */

export interface ReloadLine {
  readonly time: number;
  readonly generation: number;
  readonly trigger: string;
  /** Wall time of the reload, build to swap. */
  readonly ms: number;
  /** CPU time of the reload, all phases. */
  readonly cpuMs: number;
}

export interface ReloadSummary {
  readonly reloads: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Sum of the wall times: how much of the window the replica spent reloading. */
  readonly totalMs: number;
  readonly p50CpuMs: number;
}

/** Every successful reload in a log's text, once per generation (other lines, and lines that are not JSON, are skipped). */
export function reloadLines(text: string): ReloadLine[] {
  const out: ReloadLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"configuration reloaded"')) continue;
    try {
      const o = JSON.parse(line) as { time?: unknown; generation?: unknown; trigger?: unknown; ms?: unknown; cpuMs?: unknown };
      if (typeof o.time !== 'number' || typeof o.ms !== 'number' || typeof o.generation !== 'number') continue;
      if (out.at(-1)?.generation === o.generation) continue;
      out.push({ time: o.time, generation: o.generation, trigger: String(o.trigger), ms: o.ms, cpuMs: totalCpu(o.cpuMs) });
    } catch {
      // A line cut off at the end of the file.
    }
  }
  return out;
}

/** The reloads that ended within [from, to] (epoch ms). */
export function summarizeReloads(lines: readonly ReloadLine[], from: number, to: number): ReloadSummary {
  const within = lines.filter((l) => l.time >= from && l.time <= to);
  const ms = within.map((l) => l.ms).sort((a, b) => a - b);
  const cpu = within.map((l) => l.cpuMs).sort((a, b) => a - b);
  return {
    reloads: within.length,
    p50Ms: rank(ms, 50),
    p99Ms: rank(ms, 99),
    maxMs: rank(ms, 100),
    totalMs: ms.reduce((sum, v) => sum + v, 0),
    p50CpuMs: rank(cpu, 50),
  };
}

/** `cpuMs` is an object of phases (load, compile, apply) in current builds; a number in older ones. */
function totalCpu(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'object' || value === null) return Number.NaN;
  let sum = 0;
  for (const v of Object.values(value)) if (typeof v === 'number') sum += v;
  return sum;
}

/** Nearest rank over sorted values; NaN when there are none. */
function rank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
