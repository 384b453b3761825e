/**
 * Request ids for requests that arrive without a trusted one, in the UUID layout log tools expect, as version 8
 * (RFC 9562 §5.8, the layout for implementation-specific UUIDs): 74 random bits drawn once per process, then a
 * 48-bit counter. Two edgeway processes give the same id only if they drew the same 74 bits, so ids stay unique
 * across a fleet; a request costs one counter increment and a hex conversion. `crypto.randomUUID()` cost about 4% of
 * a proxied request's CPU (perf/tools/ab-pair.ts). The ids are sequential within a process, so they say nothing
 * secret and nothing should treat them as unguessable — which no request id is meant to be.
 */
import { randomBytes } from 'node:crypto';

const COUNTER_LIMIT = 2 ** 48;

export class RequestIds {
  readonly #random: (size: number) => Buffer;
  #prefix: string;
  #counter = 0;

  /** @param random the source of the random part (tests pass their own). */
  constructor(random: (size: number) => Buffer = randomBytes) {
    this.#random = random;
    this.#prefix = this.#draw();
  }

  /** The next id, `xxxxxxxx-xxxx-8xxx-yxxx-cccccccccccc` (y is 8, 9, a or b: the RFC 9562 variant). */
  readonly next = (): string => {
    if (this.#counter === COUNTER_LIMIT) {
      // Never in practice (2^48 requests); a fresh random part keeps ids unique if it happens.
      this.#prefix = this.#draw();
      this.#counter = 0;
    }
    return this.#prefix + (this.#counter++).toString(16).padStart(12, '0');
  };

  #draw(): string {
    const hex = this.#random(10).toString('hex');
    const variant = (0x8 | (parseInt(hex[15]!, 16) & 0x3)).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(12, 15)}-${variant}${hex.slice(16, 19)}-`;
  }
}

/** The process's ids: one sequence for every entrypoint, so no two requests of a process share an id. */
export const requestIds = new RequestIds();
