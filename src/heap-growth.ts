/**
 * How far V8's old generation may grow past what survived the last full collection before the next one.
 *
 * A proxy's live heap is small (about 22 MB for the bench's) while under load V8 grows its young generation to 2 × 32
 * MB, and V8 starts a full collection as soon as less than the young generation's size is left under the old-generation
 * limit. With V8's adaptive factor the limit sat at 64-94 MB, within reach of a 22 MB heap's growth between
 * collections: at 16 KiB responses 5 to 32 full collections per 100,000 requests (none at 11 B), each about 60 ms of
 * CPU, mostly concurrent marking on helper threads; up to 10 µs per request, a seventh of edgeway's cost, and a
 * different amount after every restart (perf/tools/profile-proxy.ts --gc). A fixed factor of 4 (V8's own upper bound)
 * leaves room for the young generation: one full collection per 100,000 requests, the same resident memory.
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
export function applyHeapGrowth(percent: number): void {
  setFlagsFromString(heapGrowthFlag(percent));
}
