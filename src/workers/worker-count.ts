/**
 * How many data-plane workers `edgeway serve` runs: `spec.runtime.workers` or `--workers`, where `auto` means one per
 * CPU the process may use (os.availableParallelism(), which honours CPU affinity). Pure, so the rule is testable.
 */
import { availableParallelism } from 'node:os';

/** The number of worker processes for a setting; 1 means no workers (the process serves by itself). */
export function resolveWorkerCount(setting: number | 'auto', cpus: number = availableParallelism()): number {
  return setting === 'auto' ? Math.max(1, cpus) : setting;
}

/** Parses `--workers`: `auto` or an integer from 1 to 1024; undefined for anything else. */
export function parseWorkers(text: string): number | 'auto' | undefined {
  if (text === 'auto') return 'auto';
  if (!/^[0-9]{1,4}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 1024 ? n : undefined;
}
