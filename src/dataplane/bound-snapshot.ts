/**
 * A snapshot joined with the runtime objects it needs: for each backend, an UpstreamSet holding its balancer (kept
 * across reloads by backend key and policy), the pools of its ready endpoints (kept across reloads by origin and TLS
 * options) and their shared runtime state (health, ejection, load; kept by origin); and, when the HTTPS entrypoint is
 * on, the SNI table with its secure contexts (reused from the previous table for unchanged certificates). Binding
 * happens once per snapshot, so a request does one map lookup and builds no strings, and a handshake one.
 */
import type { Pool } from 'undici';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { ResolvedEndpoint } from '../controllers/resolved-endpoint.ts';
import type { Backend, Snapshot } from '../snapshot/snapshot.ts';
import { SniTable, type ContextOptions } from '../tls/sni-table.ts';
import type { TlsMaterial } from '../tls/tls-material.ts';
import type { Balancer } from './balancers/balancer.ts';
import { ClientIpAffinity } from './balancers/client-ip-affinity.ts';
import { BALANCERS, DEFAULT_BALANCER } from './balancers/registry.ts';
import { BackendRuntime } from './upstream/backend-runtime.ts';
import type { DesiredCheck } from './health/health-checker.ts';
import type { EndpointStates } from './health/endpoint-states.ts';
import { poolKey, type UpstreamRegistry } from './upstream/upstream-registry.ts';
import { Member, UpstreamSet, type LocalityConfig } from './upstream/upstream-set.ts';

/** What the request path uses of a backend. */
export type BoundBackend = UpstreamSet;

export interface BoundSnapshot {
  readonly snapshot: Snapshot;
  readonly backends: ReadonlyMap<string, BoundBackend>;
  /** The certificates by server name; null when there is no HTTPS entrypoint. */
  readonly sni: SniTable | null;
  /** What binding found beyond the snapshot's own diagnostics (Ingress tls entries whose Secret is unusable). */
  readonly diagnostics: readonly Diagnostic[];
}

/** What binding needs to make secure contexts; absent when there is no HTTPS entrypoint. */
export interface TlsBinding {
  /** The generated default certificate from disk, served when the settings name no usable Secret. */
  readonly fallbackCertificate: TlsMaterial;
  readonly contextOptions: ContextOptions;
  /** The table being replaced, whose contexts are reused. */
  readonly previous: SniTable | null;
}

/** `http://address:port`, or `https://` for a backend reached over TLS. */
export function originOf(endpoint: Pick<ResolvedEndpoint, 'address' | 'port'>, tls: boolean = false): string {
  const host = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
  return `${tls ? 'https' : 'http'}://${host}:${endpoint.port}`;
}

export function addressOf(endpoint: Pick<ResolvedEndpoint, 'address' | 'port'>): string {
  return endpoint.address.includes(':') ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}

/** The runtime registries a bind draws on; all outlive snapshots. */
export interface BindRuntime {
  readonly upstreams: UpstreamRegistry;
  /** By backend key, policy, hash key and affinity; new keys get a new balancer, keys no longer used are removed. */
  readonly balancers: Map<string, Balancer>;
  readonly states: EndpointStates;
  /** In-flight counters and retry budgets by backend key; keys no longer used are removed. */
  readonly runtimes: Map<string, BackendRuntime>;
}

/**
 * @param previous the bound snapshot being replaced: an upstream set whose compiled Backend is the very same object
 *   (the compile memo reuses unchanged ones) under the same settings is kept as it is, members, pools and all, so
 *   binding costs in proportion to the backends that changed; when the snapshot's backends map is the previous one
 *   (the compile memo hands it out again when no backend changed), the bound map is kept whole.
 */
export function bindSnapshot(snapshot: Snapshot, runtime: BindRuntime, tls: TlsBinding | null = null, previous: BoundSnapshot | null = null): BoundSnapshot {
  const { upstreams, balancers, states, runtimes } = runtime;
  const s = snapshot.settings;
  const locality: LocalityConfig = {
    self: { zone: s.locality.zone, region: s.locality.region },
    overprovisioningFactor: s.locality.overprovisioningFactor,
    panicThresholdPercent: s.balancing.panicThresholdPercent,
  };
  states.outlier = s.outlierDetection;
  if (previous !== null && previous.snapshot.settings === s && previous.snapshot.backends === snapshot.backends) {
    states.changed();
    return withSni(snapshot, previous.backends, tls);
  }
  const used = new Set<string>();
  const backends = new Map<string, BoundBackend>();
  const reusable = previous !== null && previous.snapshot.settings === s ? previous.backends : null;
  for (const [key, backend] of snapshot.backends) {
    const policyKey = policyKeyOf(key, backend);
    used.add(policyKey);
    const kept = reusable?.get(key);
    if (kept !== undefined && kept.backend === backend && balancers.get(policyKey) === kept.balancer && runtimes.get(key) === kept.runtime) {
      backends.set(key, kept);
      continue;
    }
    const affinity = backend.affinityTimeoutMs;
    let balancer = balancers.get(policyKey);
    if (balancer === undefined) {
      const factory = BALANCERS.get(backend.policy) ?? BALANCERS.get(DEFAULT_BALANCER)!;
      const inner = factory(backend.hashOn === undefined ? {} : { hashOn: backend.hashOn });
      // sessionAffinity: ClientIP keeps a client on its endpoint for the timeout, over whatever policy picks first.
      balancer = affinity === undefined ? inner : new ClientIpAffinity(inner, affinity);
      balancers.set(policyKey, balancer);
    }
    const upstreamTls = backend.tls ?? null;
    let load = runtimes.get(key);
    if (load === undefined) runtimes.set(key, (load = new BackendRuntime(s)));
    else load.configure(s);
    backends.set(
      key,
      new UpstreamSet(
        backend,
        balancer,
        states,
        locality,
        (e, set) => {
          const origin = originOf(e, upstreamTls !== null);
          const h2c = backend.h2c === true;
          const connections = backend.limits.maxConnections;
          let timed: Map<number, Pool> | null = null;
          for (const ms of backend.connectTimeouts ?? []) (timed ??= new Map()).set(ms, upstreams.pool(origin, upstreamTls, h2c, connections, ms));
          return new Member(e, origin, addressOf(e), upstreams.pool(origin, upstreamTls, h2c, connections), states.state(origin), set, timed);
        },
        load,
      ),
    );
  }
  for (const key of runtimes.keys()) if (!backends.has(key)) runtimes.delete(key);
  for (const policyKey of balancers.keys()) if (!used.has(policyKey)) balancers.delete(policyKey);
  // A new snapshot may change health-relevant settings and membership: every set plans afresh.
  states.changed();
  return withSni(snapshot, backends, tls);
}

function withSni(snapshot: Snapshot, backends: ReadonlyMap<string, BoundBackend>, tls: TlsBinding | null): BoundSnapshot {
  if (tls === null) return { snapshot, backends, sni: null, diagnostics: [] };
  const { table, diagnostics } = buildSni(snapshot, tls);
  return { snapshot, backends, sni: table, diagnostics };
}

const policyKeys = new WeakMap<Backend, string>();

/** What a balancer is kept by: backend key, policy, hash key and affinity (derived once per compiled Backend). */
function policyKeyOf(key: string, backend: Backend): string {
  let found = policyKeys.get(backend);
  if (found === undefined) {
    found = `${key}\0${backend.policy}\0${JSON.stringify(backend.hashOn ?? null)}\0${backend.affinityTimeoutMs ?? ''}`;
    policyKeys.set(backend, found);
  }
  return found;
}

function buildSni(snapshot: Snapshot, tls: TlsBinding): { table: SniTable; diagnostics: readonly Diagnostic[] } {
  const input = {
    ingresses: snapshot.tls.ingresses,
    secrets: snapshot.tls.secrets,
    contextOptions: tls.contextOptions,
    ...(tls.previous === null ? {} : { previous: tls.previous }),
  };
  const wanted = snapshot.tls.defaultCertificate;
  if (wanted !== null) {
    try {
      return SniTable.build({ ...input, defaultCertificate: wanted });
    } catch (e) {
      // OpenSSL refused the settings' default Secret although it parsed: serve the generated one instead.
      const built = SniTable.build({ ...input, defaultCertificate: tls.fallbackCertificate });
      const message = `OpenSSL refused the default certificate Secret (${e instanceof Error ? e.message : String(e)}); the generated default certificate is served instead`;
      return {
        table: built.table,
        diagnostics: [
          ...built.diagnostics,
          { severity: 'error', code: 'EW_TLS_DEFAULT_CERT_UNUSABLE', object: 'EdgewaySettings', field: 'spec.tls.defaultCertificate', message },
        ],
      };
    }
  }
  return SniTable.build({ ...input, defaultCertificate: tls.fallbackCertificate });
}

/** The pool key of every origin a bound snapshot routes to; the registry keeps exactly these pools. */
export function originsOf(bound: BoundSnapshot): Set<string> {
  const origins = new Set<string>();
  for (const b of bound.backends.values()) for (const key of poolKeysOf(b.backend)) origins.add(key);
  return origins;
}

const poolKeys = new WeakMap<Backend, readonly string[]>();

/** The pool keys of a backend's ready endpoints, derived once per compiled Backend. */
function poolKeysOf(backend: Backend): readonly string[] {
  let found = poolKeys.get(backend);
  if (found === undefined) {
    const tls = backend.tls ?? null;
    const keys: string[] = [];
    for (const e of backend.ready) {
      const origin = originOf(e, tls !== null);
      keys.push(poolKey(origin, tls, backend.h2c === true));
      // Routes with their own connect timeout reach the same endpoints through pools keyed also by it.
      for (const ms of backend.connectTimeouts ?? []) keys.push(poolKey(origin, tls, backend.h2c === true, ms));
    }
    found = keys;
    poolKeys.set(backend, found);
  }
  return found;
}

/** Every endpoint origin a bound snapshot routes to; the endpoint states kept are exactly these. */
export function endpointOriginsOf(bound: BoundSnapshot): Set<string> {
  const origins = new Set<string>();
  for (const b of bound.backends.values()) for (const m of b.members) origins.add(m.key);
  return origins;
}

/** The active checks a bound snapshot wants, by origin (the first backend naming a probe for an origin wins). */
export function checksOf(bound: BoundSnapshot): Map<string, DesiredCheck> {
  const out = new Map<string, DesiredCheck>();
  for (const b of bound.backends.values()) {
    for (const m of b.members) {
      const probe = m.endpoint.probe;
      if (probe !== undefined && !out.has(m.key)) out.set(m.key, { address: m.endpoint.address, probe, state: m.load });
    }
  }
  return out;
}
