/**
 * One undici Pool per endpoint origin, shared by every snapshot that routes to it. Pools outlive snapshots so a
 * reload does not reconnect to endpoints that still exist; `retain` swaps in the set a new snapshot needs and drains
 * the pools no snapshot needs any more (in-flight requests finish, then the connections close).
 */
import { Pool } from 'undici';
import type { UpstreamSettings } from '../config/settings.ts';

export class UpstreamRegistry {
  readonly #pools = new Map<string, Pool>();
  #settings: UpstreamSettings;

  constructor(settings: UpstreamSettings) {
    this.#settings = settings;
  }

  /** The pool for `http://address:port`, created on first use. */
  pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      pool = createPool(origin, this.#settings);
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /**
   * Keep the pools for `origins`, close the rest gracefully. Pool options changed by a reload apply to new pools;
   * existing pools keep theirs until their endpoint goes away (undici cannot retune a live pool).
   */
  retain(origins: ReadonlySet<string>, settings: UpstreamSettings): Promise<void> {
    this.#settings = settings;
    const closing: Promise<void>[] = [];
    for (const [origin, pool] of this.#pools) {
      if (origins.has(origin)) continue;
      this.#pools.delete(origin);
      closing.push(pool.close().catch(() => undefined));
    }
    return Promise.all(closing).then(() => undefined);
  }

  origins(): IterableIterator<string> {
    return this.#pools.keys();
  }

  /** Pool statistics by origin, for the admin API and metrics. */
  stats(): { origin: string; connected: number; free: number; pending: number; running: number }[] {
    const out = [];
    for (const [origin, pool] of this.#pools) {
      const { connected, free, pending, running } = pool.stats;
      out.push({ origin, connected, free, pending, running });
    }
    return out;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
  }

  /** Stop at once: in-flight upstream requests fail. Used after a drain timeout. */
  async destroy(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}

function createPool(origin: string, s: UpstreamSettings): Pool {
  return new Pool(origin, {
    connections: s.connections,
    pipelining: s.pipelining,
    keepAliveTimeout: s.keepAliveTimeoutMs,
    keepAliveMaxTimeout: s.keepAliveMaxTimeoutMs,
    // A backend's Keep-Alive hint is trusted only minus this margin, so edgeway closes first.
    keepAliveTimeoutThreshold: 1000,
    headersTimeout: s.headersTimeoutMs,
    bodyTimeout: s.bodyTimeoutMs,
    connect: { timeout: s.connectTimeoutMs, noDelay: true, keepAlive: true },
    // Bodies stream through; undici must not buffer or limit them.
    maxResponseSize: -1,
  });
}
