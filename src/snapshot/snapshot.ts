/**
 * The compiled, immutable view of one configuration generation. The data plane reads the current snapshot and never
 * changes it; a reload compiles a new one beside it and swaps the reference.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import type { Settings } from '../config/settings.ts';
import type { BackendTls } from '../controllers/backend-tls.ts';
import type { BackendResolution, ResolvedEndpoint } from '../controllers/resolved-endpoint.ts';
import type { RouteTable } from '../routing/route-table.ts';
import type { CompiledAddresses, ListenerFailure } from './addresses.ts';
import type { Distribution, HashOn } from './balancing-policy.ts';
import type { SnapshotTls } from './compile-tls.ts';
import type { BackendLimits } from './backend-limits.ts';

/** A Service port as a routing target, with the endpoints that may receive new requests. */
export interface Backend {
  /** backendKey(): `namespace/name:port`. */
  readonly key: string;
  /** `namespace/name` of the Service, for logs and metrics. */
  readonly service: string;
  readonly resolution: BackendResolution;
  /** Ready endpoints only, sorted; empty means 503. */
  readonly ready: readonly ResolvedEndpoint[];
  /** The balancing policy's name: the Service's `edgeway.io/load-balancer` annotation, else the settings' default. */
  readonly policy: string;
  /** `sessionAffinity: ClientIP`: a client stays on one endpoint for this long after its last pick. */
  readonly affinityTimeoutMs?: number;
  /** How endpoints are reached over TLS (backend-tls.ts); absent: plain HTTP. */
  readonly tls?: BackendTls;
  /** The port's appProtocol is `kubernetes.io/h2c`: endpoints speak HTTP/2 over cleartext (prior knowledge). */
  readonly h2c?: true;
  /** What hashing policies hash (`edgeway.io/hash-on`); absent for the others. */
  readonly hashOn?: HashOn;
  /** How locality applies (trafficDistribution, internalTrafficPolicy, settings). */
  readonly distribution: Distribution;
  /** Clusters (settings `clusters[].name`, `local` for the main configuration) whose endpoints were merged. */
  readonly clusters: readonly string[];
  /** Circuit limits from the settings and the Service's annotations. */
  readonly limits: BackendLimits;
  /**
   * Route-specific connect timeouts (proxy-connect-timeout) of the routes reaching this backend, ascending; absent
   * when every route uses `upstream.connectTimeout`. Each gets its own pool per endpoint (undici sets it per pool).
   */
  readonly connectTimeouts?: readonly number[];
}

export interface Snapshot {
  readonly generation: number;
  readonly settings: Settings;
  readonly routes: RouteTable;
  readonly backends: ReadonlyMap<string, Backend>;
  /** TLS material for the HTTPS entrypoint; its secure contexts are made when the snapshot is bound. */
  readonly tls: SnapshotTls;
  /** `namespace/name` of every Ingress edgeway serves. */
  readonly ingresses: readonly string[];
  readonly objectCount: number;
  /** Everything compilation found: problems with single objects never fail the build. */
  readonly diagnostics: readonly Diagnostic[];
  readonly compiledAt: Date;
  readonly compileMs: number;
  /** Allocated ClusterIPs, NodePorts and LoadBalancer IPs, and the listeners that serve them. */
  readonly addresses: CompiledAddresses;
  /**
   * Listeners of this generation that could not be bound, by Service (`namespace/name`). Empty when compiled;
   * the process fills it in (as a new snapshot object) once the listeners are reconciled, so status can show it.
   */
  readonly listenerFailures: ReadonlyMap<string, readonly ListenerFailure[]>;
}
