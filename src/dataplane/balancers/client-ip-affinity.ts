/**
 * `sessionAffinity: ClientIP` as a Balancer wrapper: a client address keeps getting the endpoint it got last, as
 * long as that endpoint is still a candidate (ready, healthy, in the serving locality) and the client came back
 * within the timeout (sliding, as
 * kube-proxy's `recent` match does). Otherwise the wrapped policy picks, and the choice is remembered.
 *
 * The table is bounded: at most `maxEntries` clients, the least recently seen dropped first (a Map keeps insertion
 * order, and a hit re-inserts). Client addresses come from the socket, not from headers, but a bound still keeps a
 * scan of many sources from growing memory without limit. The wrapper lives in the runtime's balancer map, keyed by
 * backend, so affinity survives reloads.
 */
import type { Balancer, PickContext } from './balancer.ts';
import type { CandidateSet } from './candidate-set.ts';

export const DEFAULT_AFFINITY_ENTRIES = 65_536;

interface Entry {
  /** The candidate's key (its origin). */
  readonly key: string;
  expires: number;
}

export class ClientIpAffinity implements Balancer {
  readonly #inner: Balancer;
  readonly #timeoutMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #table = new Map<string, Entry>();

  constructor(inner: Balancer, timeoutMs: number, maxEntries = DEFAULT_AFFINITY_ENTRIES, now: () => number = Date.now) {
    this.#inner = inner;
    this.#timeoutMs = timeoutMs;
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  get size(): number {
    return this.#table.size;
  }

  pick(set: CandidateSet, ctx: PickContext): number {
    const now = this.#now();
    const table = this.#table;
    const key = ctx.clientIp;
    const entry = table.get(key);
    if (entry !== undefined) {
      table.delete(key);
      if (entry.expires > now) {
        const index = indexOf(set, entry.key);
        if (index !== -1) {
          entry.expires = now + this.#timeoutMs;
          table.set(key, entry);
          return index;
        }
      }
    }
    const index = this.#inner.pick(set, ctx);
    if (index === -1) return -1;
    const chosen = set.items[index]!;
    if (table.size >= this.#maxEntries) {
      const oldest = table.keys().next();
      if (oldest.done !== true) table.delete(oldest.value);
    }
    table.set(key, { key: chosen.key, expires: now + this.#timeoutMs });
    return index;
  }
}

/** Linear: candidate sets are short, and this runs only for Services that ask for affinity. */
function indexOf(set: CandidateSet, key: string): number {
  const items = set.items;
  for (let i = 0; i < items.length; i++) if (items[i]!.key === key) return i;
  return -1;
}
