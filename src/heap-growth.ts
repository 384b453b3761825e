/**
 * How far V8's old generation may grow past what survived the last full collection before the next one.
 *
 * A proxy's live heap is small (tens of MB) while its young generation grows to 2 × 32 MB under load, and V8 starts a
 * full collection as soon as the old generation's headroom is smaller than the young generation. With V8's own
 * adaptive factor that headroom is about 1.5-3× a small live heap, so at 16 KiB responses edgeway ran 5 to 30 full
 * collections per 100,000 requests (none at 11 B), each about 60 ms of CPU, mostly concurrent marking on helper
 * threads: up to 10 µs per request, a seventh of its cost, and a different amount after every restart
 * (perf/tools/profile-proxy.ts, `--trace-gc-nvp`). A fixed factor of 4 (V8's own upper bound) leaves room for the
 * young generation: one full collection per 100,000 requests, the same resident memory.
 *
 * The flag is read by V8 each time it sets a new limit, so it takes effect when set at run time, and again on a
 * reload that changes it.
 */
import { setFlagsFromString } from 'node:v8';

/** `--heap-growing-percent` for a settings value; 0 hands the choice back to V8's adaptive factor. */
export function heapGrowthFlag(percent: number): string {
  return `--heap-growing-percent=${Math.trunc(percent)}`;
}

/** Sets the growth for this process (cheap: a flag write, done at start and on every reload). */
export function applyHeapGrowth(percent: number, setFlags: (flags: string) => void = setFlagsFromString): void {
  setFlags(heapGrowthFlag(percent));
}
