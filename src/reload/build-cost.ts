/**
 * What a configuration generation cost the process in CPU time, by phase: load (read, split, parse, validate),
 * compile (store and snapshot) and apply (bind to the data plane, listeners). CPU time of the whole process
 * (process.cpuUsage: every thread, GC included), because on a busy machine that is what serving loses to a reload.
 * Logged with each reload and read by perf/tools/reload-cost.ts.
 */

export interface BuildCost {
  readonly loadMs: number;
  readonly compileMs: number;
  readonly applyMs: number;
}

/** Process CPU time (user + system) in milliseconds, for differences. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
