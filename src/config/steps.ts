/**
 * Runs work written as a generator that yields between units (one document parsed, one object validated): all at
 * once for the synchronous callers (tests, the admin API), or in slices that give the event loop a turn every
 * SLICE_MS, so a cold load of a large configuration never stalls the requests being served meanwhile.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export type Steps<T> = Generator<void, T, void>;

/** Work between two turns of the event loop: short enough that a request waiting behind it barely notices. */
export const SLICE_MS = 10;

/**
 * Units taken whole from the last load (a document neither parsed nor validated) cost little each: a step yields
 * after this many of them rather than after each, so a reload of a large, mostly unchanged file does not spend its
 * time switching generators and reading the clock.
 */
export const REUSED_PER_TURN = 256;

export function runSync<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

export async function runSliced<T>(steps: Steps<T>, sliceMs = SLICE_MS): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}
