/**
 * One undici Pool per endpoint origin, shared by every snapshot that routes to it. Pools outlive snapshots so a
 * reload does not reconnect to endpoints that still exist; `retain` swaps in the set a new snapshot needs and drains
 * the pools no snapshot needs any more (in-flight requests finish, then the connections close).
 *
 * An `https://` origin is keyed together with its TLS options (server name, CA, verification): two Services on the
 * same address with different CAs must not share connections verified against the other's CA. A route with its own
 * connect timeout (proxy-connect-timeout) gets pools keyed also by that timeout, since undici sets it per pool's
 * connector; routes with the default keep sharing the default pool. Keys are built when a snapshot is bound, never
 * per request.
 */
import { Pool } from 'undici';
import type { UpstreamSettings } from '../../config/settings.ts';
import { tlsConnectOptions, type BackendTls } from '../../controllers/backend-tls.ts';

/**
 * The registry key of a pool: the origin, plus the TLS options for TLS origins, or `#h2c` for cleartext HTTP/2, plus
 * `#connect=<ms>` for a route-specific connect timeout (0 = the settings' default, no suffix).
 */
export function poolKey(origin: string, tls: BackendTls | null, h2c = false, connectTimeoutMs = 0): string {
  const base = tls !== null ? `${origin}#${tls.key}` : h2c ? `${origin}#h2c` : origin;
  return connectTimeoutMs === 0 ? base : `${base}#connect=${connectTimeoutMs}`;
}

export class UpstreamRegistry {
  readonly #pools = new Map<string, Pool>();
  /** How to make each pool's twin for last retries (fresh()), and the twins made so far. */
  readonly #twinOf = new WeakMap<Pool, () => Pool>();
  readonly #twins = new Map<Pool, Pool>();
  #settings: UpstreamSettings;

  constructor(settings: UpstreamSettings) {
    this.#settings = settings;
  }

  /**
   * The pool for `http://address:port` (or `https://` with `tls`, or HTTP/2 cleartext with `h2c`), created on first use.
   * @param connections a Service's `edgeway.io/max-connections`; applies when this call creates the pool.
   * @param connectTimeoutMs a route's own connect timeout; 0 = `upstream.connectTimeout`.
   */
  pool(origin: string, tls: BackendTls | null = null, h2c = false, connections = this.#settings.connections, connectTimeoutMs = 0): Pool {
    const key = tls === null && !h2c && connectTimeoutMs === 0 ? origin : poolKey(origin, tls, h2c, connectTimeoutMs);
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      const settings = connectTimeoutMs === 0 ? this.#settings : { ...this.#settings, connectTimeoutMs };
      pool = createPool(origin, settings, tls, h2c, connections);
      this.#pools.set(key, pool);
      this.#twinOf.set(pool, () => createPool(origin, { ...settings, keepAliveTimeoutMs: FRESH_MS, keepAliveMaxTimeoutMs: FRESH_MS }, tls, h2c, connections));
    }
    return pool;
  }

  /**
   * A twin of `pool` whose connections are closed as soon as their response is read, for a retry on the endpoint
   * that just failed: a retry through `pool` itself may be handed another connection the backend is closing at that
   * very moment (a backend that closes every idle connection at its timeout while edgeway was stalled), where a
   * connection of its own is new. Made on first use; closed with `pool`.
   */
  fresh(pool: Pool): Pool {
    let twin = this.#twins.get(pool);
    if (twin === undefined) {
      const make = this.#twinOf.get(pool);
      if (make === undefined) return pool;
      twin = make();
      this.#twins.set(pool, twin);
    }
    return twin;
  }

  /**
   * Keep the pools for `origins` (pool keys, see poolKey), close the rest gracefully. Pool options changed by a reload apply to new pools;
   * existing pools keep theirs until their endpoint goes away (undici cannot retune a live pool).
   */
  retain(origins: ReadonlySet<string>, settings: UpstreamSettings): Promise<void> {
    this.#settings = settings;
    const closing: Promise<void>[] = [];
    for (const [origin, pool] of this.#pools) {
      if (origins.has(origin)) continue;
      this.#pools.delete(origin);
      closing.push(pool.close().catch(() => undefined));
      const twin = this.#twins.get(pool);
      if (twin !== undefined) {
        this.#twins.delete(pool);
        closing.push(twin.close().catch(() => undefined));
      }
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
    const pools = [...this.#pools.values(), ...this.#twins.values()];
    this.#pools.clear();
    this.#twins.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
  }

  /** Stop at once: in-flight upstream requests fail. Used after a drain timeout. */
  async destroy(): Promise<void> {
    const pools = [...this.#pools.values(), ...this.#twins.values()];
    this.#pools.clear();
    this.#twins.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}

/** A retry twin's keep-alive: long enough to read the response, never long enough to be reused stale. */
const FRESH_MS = 1;

/** Streams per cleartext HTTP/2 connection: the common server default, and what undici's H2CClient assumes. */
const H2C_STREAMS = 100;

function createPool(origin: string, s: UpstreamSettings, tls: BackendTls | null, h2c: boolean, connections: number): Pool {
  const connect = { timeout: s.connectTimeoutMs, noDelay: true, keepAlive: true };
  if (h2c) {
    // HTTP/2 multiplexes: a few connections carry what HTTP/1.1 needs a hundred for.
    const options: Pool.Options & { useH2c: boolean } = {
      connections: Math.max(1, Math.ceil(s.connections / H2C_STREAMS)),
      allowH2: true,
      // The Pool builds the connector itself and reads `useH2c` at its top level (undici 8's types only declare
      // h2Options.useH2c, which the Client reads when it builds its own connector).
      useH2c: true,
      h2Options: { useH2c: true, maxConcurrentStreams: H2C_STREAMS },
      pipelining: H2C_STREAMS,
      keepAliveTimeout: s.keepAliveTimeoutMs,
      keepAliveMaxTimeout: s.keepAliveMaxTimeoutMs,
      headersTimeout: s.headersTimeoutMs,
      bodyTimeout: s.bodyTimeoutMs,
      connect,
      maxResponseSize: -1,
    };
    return new Pool(origin, options);
  }
  return new Pool(origin, {
    connections: Math.min(connections, s.connections),
    pipelining: s.pipelining,
    keepAliveTimeout: s.keepAliveTimeoutMs,
    keepAliveMaxTimeout: s.keepAliveMaxTimeoutMs,
    // A backend's Keep-Alive hint is trusted only minus this margin, so edgeway closes first.
    keepAliveTimeoutThreshold: 1000,
    headersTimeout: s.headersTimeoutMs,
    bodyTimeout: s.bodyTimeoutMs,
    // undici passes these to tls.connect for https origins; it also caches TLS sessions per server name.
    connect: tls === null ? connect : { ...connect, ...tlsConnectOptions(tls) },
    // Bodies stream through; undici must not buffer or limit them.
    maxResponseSize: -1,
  });
}
