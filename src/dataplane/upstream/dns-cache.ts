/**
 * Resolves ExternalName targets at request time, caching answers for their record TTL so that a busy route costs one
 * DNS query per TTL rather than one per request.
 *
 * - IP literals are returned as they are; `localhost` and `*.localhost` are 127.0.0.1 (RFC 6761) without a query.
 * - A records first, AAAA when the name has none; the smallest record TTL, clamped to [minTtlMs, maxTtlMs], decides
 *   how long the answer is kept. Successive calls rotate through the addresses to spread load.
 * - Concurrent lookups of one name share a single query. Failures are remembered for negativeTtlMs so that a dead
 *   name does not turn every request into a query; they reject with code EDGEWAY_DNS_FAILED.
 * - Entries are bounded (least recently used goes first). Names come from configuration, not from clients, but a
 *   bound keeps a huge or churning configuration from growing the map without limit.
 */
import { promises as dnsPromises } from 'node:dns';
import type { RecordWithTtl } from 'node:dns';
import { isIP } from 'node:net';

export interface DnsCacheOptions {
  /** Defaults to a fresh Resolver using the system's servers. */
  readonly resolver?: dnsPromises.Resolver;
  /** Default 1 s. */
  readonly minTtlMs?: number;
  /** Default 300 s. */
  readonly maxTtlMs?: number;
  /** How long a failure is remembered; default 1 s. */
  readonly negativeTtlMs?: number;
  /** Default 1000. */
  readonly maxEntries?: number;
  /** Injected clock, for tests. */
  readonly now?: () => number;
}

/** The error every failed resolution rejects with; callers match on `code`. */
export class DnsLookupError extends Error {
  readonly code: 'EDGEWAY_DNS_FAILED' = 'EDGEWAY_DNS_FAILED';
  readonly host: string;

  constructor(host: string, cause: unknown) {
    super(`resolving ${host} failed: ${describeCause(cause)}`, { cause });
    this.name = 'DnsLookupError';
    this.host = host;
  }
}

interface Resolved {
  readonly state: 'resolved';
  readonly addresses: readonly string[];
  readonly expiresAt: number;
  /** Rotation cursor; runtime state, so mutable. */
  next: number;
}

interface Failed {
  readonly state: 'failed';
  readonly error: DnsLookupError;
  readonly expiresAt: number;
}

interface Pending {
  readonly state: 'pending';
  readonly promise: Promise<Resolved>;
}

type Entry = Resolved | Failed | Pending;

export class DnsCache {
  readonly #resolver: dnsPromises.Resolver;
  readonly #minTtlMs: number;
  readonly #maxTtlMs: number;
  readonly #negativeTtlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** Insertion order is recency order: a hit moves its entry to the end, eviction takes from the front. */
  readonly #entries = new Map<string, Entry>();
  readonly #pick = (entry: Resolved): string => pickAddress(entry);

  constructor(options: DnsCacheOptions = {}) {
    this.#resolver = options.resolver ?? new dnsPromises.Resolver();
    this.#minTtlMs = options.minTtlMs ?? 1_000;
    this.#maxTtlMs = Math.max(options.maxTtlMs ?? 300_000, this.#minTtlMs);
    this.#negativeTtlMs = options.negativeTtlMs ?? 1_000;
    this.#maxEntries = Math.max(1, options.maxEntries ?? 1_000);
    this.#now = options.now ?? Date.now;
  }

  /** One address for `host`, from the cache while its TTL lasts. */
  resolve(host: string): Promise<string> {
    const name = normalizeName(host);
    if (isIP(name) !== 0) return Promise.resolve(name);
    if (name === 'localhost' || name.endsWith('.localhost')) return Promise.resolve('127.0.0.1');

    const entry = this.#entries.get(name);
    if (entry !== undefined) {
      if (entry.state === 'pending') return entry.promise.then(this.#pick);
      if (entry.expiresAt > this.#now()) {
        this.#touch(name, entry);
        return entry.state === 'resolved' ? Promise.resolve(pickAddress(entry)) : Promise.reject(entry.error);
      }
    }
    return this.#start(name).then(this.#pick);
  }

  /** Names currently cached (including lookups in flight). */
  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }

  #start(name: string): Promise<Resolved> {
    const promise = this.#lookup(name).then(
      (records): Resolved => {
        const ttlMs = Math.min(...records.map((r) => r.ttl)) * 1_000;
        const resolved: Resolved = {
          state: 'resolved',
          addresses: records.map((r) => r.address),
          expiresAt: this.#now() + clamp(ttlMs, this.#minTtlMs, this.#maxTtlMs),
          next: 0,
        };
        this.#settle(name, pending, resolved);
        return resolved;
      },
      (cause: unknown): never => {
        const error = new DnsLookupError(name, cause);
        this.#settle(name, pending, { state: 'failed', error, expiresAt: this.#now() + this.#negativeTtlMs });
        throw error;
      },
    );
    const pending: Pending = { state: 'pending', promise };
    this.#store(name, pending);
    return promise;
  }

  async #lookup(name: string): Promise<RecordWithTtl[]> {
    let records: RecordWithTtl[] = [];
    try {
      records = await this.#resolver.resolve4(name, { ttl: true });
    } catch (error) {
      // Only "the name exists but has no A records" is worth an AAAA query; NXDOMAIN or a timeout would repeat.
      if (!(error instanceof Error && 'code' in error && error.code === 'ENODATA')) throw error;
    }
    if (records.length === 0) records = await this.#resolver.resolve6(name, { ttl: true });
    if (records.length === 0) throw new Error('no A or AAAA records');
    return records;
  }

  /** Replaces the pending entry, unless it was evicted or replaced meanwhile (then the answer is just returned). */
  #settle(name: string, pending: Pending, settled: Resolved | Failed): void {
    if (this.#entries.get(name) === pending) this.#entries.set(name, settled);
  }

  #store(name: string, entry: Entry): void {
    this.#entries.delete(name);
    this.#entries.set(name, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  #touch(name: string, entry: Entry): void {
    this.#entries.delete(name);
    this.#entries.set(name, entry);
  }
}

function pickAddress(entry: Resolved): string {
  const address = entry.addresses[entry.next % entry.addresses.length];
  entry.next = (entry.next + 1) % entry.addresses.length;
  // #lookup never yields an empty answer, so an address is always there.
  return address as string;
}

/** DNS names are case-insensitive and `name.` is `name`; brackets are how URLs write IPv6 literals. */
function normalizeName(host: string): string {
  let name = host.toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  return name;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return String(cause);
}
