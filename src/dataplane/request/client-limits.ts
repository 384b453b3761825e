/**
 * The runtime state of ingress-nginx's per-client limits (routing/access-policy.ts): request rates (`limit-rps`,
 * `limit-rpm`) and requests in flight (`limit-connections`), per client address, per Ingress. It lives apart from
 * snapshots, in a registry keyed by Ingress, so a reload that leaves an Ingress's limits as they were keeps its
 * counters; changed limits start fresh, and an Ingress that is gone takes its state with it (`retain`).
 *
 * Rates follow nginx's limit_req with `nodelay`, as ingress-nginx configures it: each client has an "excess" that
 * drains at the rate and grows by one per request; a request that would take it over the burst (rate × multiplier)
 * is refused and not counted. Client addresses are what clients control, so the rate table is bounded: past
 * `maxClients` the least recently seen client's state is dropped. In-flight counts need no bound of their own: an
 * entry exists only while that client has a request open, and is deleted when its count returns to zero.
 */
import type { AccessPolicy, ClientLimits } from '../../routing/access-policy.ts';

export const DEFAULT_MAX_CLIENTS = 16_384;

interface Bucket {
  /** Requests over the rate, as nginx's excess (0 = none). */
  excess: number;
  /** performance.now() of the last counted request. */
  last: number;
}

/** One rate (per second or per minute) for one Ingress. */
class RateTable {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #max: number;
  readonly #clients = new Map<string, Bucket>();

  constructor(perMs: number, burst: number, max: number) {
    this.#perMs = perMs;
    this.#burst = burst;
    this.#max = max;
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Counts a request of `ip` at `now` unless it is over the limit; false: refuse it. */
  take(ip: string, now: number): boolean {
    const clients = this.#clients;
    const bucket = clients.get(ip);
    if (bucket === undefined) {
      if (clients.size >= this.#max) clients.delete(clients.keys().next().value!);
      clients.set(ip, { excess: 0, last: now });
      return true;
    }
    const excess = Math.max(0, bucket.excess - (now - bucket.last) * this.#perMs) + 1;
    if (excess > this.#burst) return false;
    bucket.excess = excess;
    bucket.last = now;
    // Re-inserted so the Map's order is least recently seen first.
    clients.delete(ip);
    clients.set(ip, bucket);
    return true;
  }
}

/** The limits of one Ingress: its rate tables and its in-flight counts by client address. */
export class ClientLimiter {
  readonly key: string;
  readonly limits: ClientLimits;
  readonly #perSecond: RateTable | null;
  readonly #perMinute: RateTable | null;
  readonly #inFlight = new Map<string, number>();

  constructor(key: string, limits: ClientLimits, maxClients: number) {
    this.key = key;
    this.limits = limits;
    this.#perSecond = limits.rps > 0 ? new RateTable(limits.rps / 1000, limits.rps * limits.burstMultiplier, maxClients) : null;
    this.#perMinute = limits.rpm > 0 ? new RateTable(limits.rpm / 60_000, limits.rpm * limits.burstMultiplier, maxClients) : null;
  }

  /** Both rates must allow the request (as two limit_req zones); false: refuse it. */
  takeRate(ip: string, now: number): boolean {
    if (this.#perSecond !== null && !this.#perSecond.take(ip, now)) return false;
    return this.#perMinute === null || this.#perMinute.take(ip, now);
  }

  /** Opens a request for `ip` unless it has `limits.connections` open; false: refuse it. */
  open(ip: string): boolean {
    const max = this.limits.connections;
    if (max === 0) return true;
    const open = this.#inFlight.get(ip) ?? 0;
    if (open >= max) return false;
    this.#inFlight.set(ip, open + 1);
    return true;
  }

  /** Ends a request opened with `open`. */
  close(ip: string): void {
    const open = this.#inFlight.get(ip);
    if (open === undefined) return;
    if (open <= 1) this.#inFlight.delete(ip);
    else this.#inFlight.set(ip, open - 1);
  }

  /** Entries held (rate entries and in-flight clients), for tests. */
  get size(): number {
    return (this.#perSecond?.size ?? 0) + (this.#perMinute?.size ?? 0) + this.#inFlight.size;
  }
}

export class ClientLimitRegistry {
  /** By Ingress (`namespace/name`): one limiter each, replaced when its limits change. */
  readonly #byIngress = new Map<string, ClientLimiter>();
  readonly #maxClients: number;

  constructor(maxClients = DEFAULT_MAX_CLIENTS) {
    this.#maxClients = maxClients;
  }

  /** The limiter of a route's access policy (which has limits). */
  limiter(access: AccessPolicy, limits: ClientLimits): ClientLimiter {
    const ingress = access.key.slice(0, access.key.indexOf('\0'));
    let found = this.#byIngress.get(ingress);
    if (found === undefined || found.key !== access.key) {
      found = new ClientLimiter(access.key, limits, this.#maxClients);
      this.#byIngress.set(ingress, found);
    }
    return found;
  }

  /** After a reload: forgets the state of Ingresses no longer served. */
  retain(ingresses: readonly string[]): void {
    if (this.#byIngress.size === 0) return;
    const kept = new Set(ingresses);
    for (const ingress of this.#byIngress.keys()) if (!kept.has(ingress)) this.#byIngress.delete(ingress);
  }

  get size(): number {
    return this.#byIngress.size;
  }
}
