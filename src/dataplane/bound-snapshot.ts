/**
 * A snapshot joined with the runtime objects it needs: for each backend, its balancer (kept across reloads by
 * backend key) and the pools of its ready endpoints (kept across reloads by origin); and, when the HTTPS entrypoint
 * is on, the SNI table with its secure contexts (reused from the previous table for unchanged certificates). Binding
 * happens once per snapshot, so a request does two map lookups at most and builds no strings, and a handshake one.
 */
import type { Pool } from 'undici';
import type { Diagnostic } from '../config/diagnostic.ts';
import { SniTable, type ContextOptions } from '../tls/sni-table.ts';
import type { TlsMaterial } from '../tls/tls-material.ts';
import type { ResolvedEndpoint } from '../controllers/resolved-endpoint.ts';
import type { Backend, Snapshot } from '../snapshot/snapshot.ts';
import type { Balancer } from './balancers/balancer.ts';
import { ClientIpAffinity } from './balancers/client-ip-affinity.ts';
import { BALANCERS, DEFAULT_BALANCER } from './balancers/registry.ts';
import { poolKey, type UpstreamRegistry } from './upstream-registry.ts';

export interface BoundBackend {
  readonly backend: Backend;
  readonly balancer: Balancer;
  /** Aligned with backend.ready. */
  readonly pools: readonly Pool[];
  /** `address:port` per ready endpoint, for logs. */
  readonly addresses: readonly string[];
}

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

/**
 * @param balancers the runtime's balancers by backend key; new keys get a new balancer, and keys no longer used are
 *   removed, so the map always matches the current snapshot.
 */
export function bindSnapshot(snapshot: Snapshot, upstreams: UpstreamRegistry, balancers: Map<string, Balancer>, tls: TlsBinding | null = null): BoundSnapshot {
  const backends = new Map<string, BoundBackend>();
  for (const [key, backend] of snapshot.backends) {
    const affinity = backend.affinityTimeoutMs;
    const policyKey = affinity === undefined ? `${key}\0${backend.policy}` : `${key}\0${backend.policy}\0affinity ${affinity}`;
    let balancer = balancers.get(policyKey);
    if (balancer === undefined) {
      const factory = BALANCERS.get(backend.policy) ?? BALANCERS.get(DEFAULT_BALANCER)!;
      balancer = affinity === undefined ? factory() : new ClientIpAffinity(factory(), affinity);
      balancers.set(policyKey, balancer);
    }
    const upstreamTls = backend.tls ?? null;
    backends.set(key, {
      backend,
      balancer,
      pools: backend.ready.map((e) => upstreams.pool(originOf(e, upstreamTls !== null), upstreamTls, backend.h2c === true)),
      addresses: backend.ready.map(addressOf),
    });
  }
  for (const policyKey of balancers.keys()) {
    const key = policyKey.slice(0, policyKey.indexOf('\0'));
    if (!backends.has(key)) balancers.delete(policyKey);
  }
  if (tls === null) return { snapshot, backends, sni: null, diagnostics: [] };
  const { table, diagnostics } = buildSni(snapshot, tls);
  return { snapshot, backends, sni: table, diagnostics };
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
      return { table: built.table, diagnostics: [...built.diagnostics, { severity: 'error', code: 'EW_TLS_DEFAULT_CERT_UNUSABLE', object: 'EdgewaySettings', field: 'spec.tls.defaultCertificate', message }] };
    }
  }
  return SniTable.build({ ...input, defaultCertificate: tls.fallbackCertificate });
}

/** The pool key of every origin a bound snapshot routes to; the registry keeps exactly these pools. */
export function originsOf(bound: BoundSnapshot): Set<string> {
  const origins = new Set<string>();
  for (const b of bound.backends.values()) {
    const tls = b.backend.tls ?? null;
    for (const e of b.backend.ready) origins.add(poolKey(originOf(e, tls !== null), tls, b.backend.h2c === true));
  }
  return origins;
}
