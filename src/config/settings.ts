/**
 * edgeway's own settings, as the rest of the code sees them: every field present, durations in milliseconds.
 *
 * Users write them as one document in the YAML (`apiVersion: edgeway.io/v1alpha1`, `kind: EdgewaySettings`), checked
 * against `schema/edgeway-settings.schema.json`; command-line flags override them. See settings-document.ts for the
 * parsing and the defaults.
 */

import type { RetryPolicy } from './retry-policy.ts';
import type { YamlLimits } from './yaml-limits.ts';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface BackendRef {
  readonly namespace: string;
  readonly name: string;
  /** A Service port number or name. */
  readonly port: number | string;
}

export interface UpstreamSettings {
  /** Connections per endpoint origin. */
  readonly connections: number;
  /** Requests pipelined per connection; 1 means no pipelining (the safe default for arbitrary backends). */
  readonly pipelining: number;
  /** Idle keep-alive time before edgeway closes a pooled connection; kept below typical backend idle timeouts. */
  readonly keepAliveTimeoutMs: number;
  /** Upper bound applied to a backend's `Keep-Alive: timeout=` hint. */
  readonly keepAliveMaxTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Time to the response headers. */
  readonly headersTimeoutMs: number;
  /** Idle time between body chunks. */
  readonly bodyTimeoutMs: number;
}

export interface DownstreamSettings {
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxHeaderBytes: number;
  /** More request header lines than this answer 431 (Node would silently drop the rest). */
  readonly maxHeadersCount: number;
  /** Largest request body; larger answers 413. Ingresses lower or raise it with `proxy-body-size`; 0 = no limit. */
  readonly maxBodyBytes: number;
  /** A connection on which no byte moves either way for this long is closed (slow body reads, stalled clients). */
  readonly idleTimeoutMs: number;
  /** Longest pause between two pieces of a request body (nginx's `client_body_timeout`); 408 and close after it. */
  readonly bodyTimeoutMs: number;
  /** Longest time a client may read nothing of a response edgeway has more of (nginx's `send_timeout`). */
  readonly sendTimeoutMs: number;
  /** Time to finish a TLS handshake on the HTTPS entrypoint and Service TLS listeners. */
  readonly handshakeTimeoutMs: number;
  /** Read bodies up to requestBufferBytes whole before taking an upstream connection (nginx's `proxy_request_buffering`). */
  readonly requestBuffering: boolean;
  readonly requestBufferBytes: number;
}

/** Retries: the policy every route gets unless its Ingress says otherwise, and the budget that caps them. */
export interface RetrySettings {
  readonly policy: RetryPolicy;
  /** Retries may be at most this share of a backend's requests over the window. */
  readonly budgetRatio: number;
  readonly budgetWindowMs: number;
  /** Retries always allowed per window, so a quiet backend can still retry at all. */
  readonly budgetMinRetries: number;
}

/** Circuit limits per Service (overridable by Service annotations). */
export interface LimitSettings {
  /** Requests in flight to one Service; beyond it 503 `X-Edgeway-Limit: max-requests`. */
  readonly maxRequests: number;
  /** Requests waiting for an upstream connection; beyond it 503 `X-Edgeway-Limit: max-pending`. */
  readonly maxPendingRequests: number;
}

/** Load shedding: new requests get 503 with Retry-After while the process is near its limits. */
export interface OverloadSettings {
  /** Event-loop delay (p99 over a sample) beyond which new requests are shed; 0 turns the check off. */
  readonly maxEventLoopDelayMs: number;
  /** Heap in use beyond which new requests are shed; 0 means 90% of V8's heap limit. */
  readonly maxHeapBytes: number;
  readonly retryAfterSeconds: number;
}

/** The Node.js runtime edgeway runs on. */
export interface RuntimeSettings {
  /** Old-generation growth past the last full collection's survivors, in percent (src/heap-growth.ts); 0 = V8's choice. */
  readonly heapGrowthPercent: number;
  /** Data-plane worker processes of `edgeway serve`: 'auto' (one per CPU) or a count; see src/workers/worker-count.ts. */
  readonly workers: number | 'auto';
}

/** Upgraded connections (WebSocket) tunnelled to endpoints. */
export interface UpgradeSettings {
  /** A tunnel with no bytes either way for this long is closed. */
  readonly idleTimeoutMs: number;
  /** After a reload removes a tunnel's route, the tunnel is closed after this grace period. */
  readonly removedRouteGraceMs: number;
}

/** How Ingress backends reach a Service: its endpoints directly, or its NodePort on every node. */
export type UpstreamMode = 'endpoints' | 'nodePort';

/** A LoadBalancer address pool written in the settings (the same fields as MetalLB's IPAddressPool spec). */
export interface AddressPoolSettings {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly autoAssign?: boolean;
  readonly avoidBuggyIPs?: boolean;
}

/** Address allocation and serving: LoadBalancer pools, service CIDRs, NodePorts, and how they are served. */
export interface AddressSettings {
  /** Pools besides IPAddressPool objects; with neither, the default pool 127.240.0.0/16. */
  readonly pools: readonly AddressPoolSettings[];
  /** At most one CIDR per IP family; the first one's family is the default. */
  readonly serviceCIDRs: readonly string[];
  readonly nodePortRange: { readonly min: number; readonly max: number };
  /** The spec.loadBalancerClass edgeway serves (Services without a class are served too). */
  readonly loadBalancerClass: string;
  /** Addresses every NodePort is served on; also the nodes NodePort fan-out sends to when there are no Node objects. */
  readonly nodeAddresses: readonly string[];
  /** The default for Ingress backends; `edgeway.io/upstream-mode` on a Service overrides it. */
  readonly upstreamMode: UpstreamMode;
  /** Idle time after which a TCP pass-through connection is closed. */
  readonly tcpIdleTimeoutMs: number;
}

/** The HTTPS entrypoint's TLS: the default certificate, protocol floor and ciphers. */
export interface TlsSettings {
  /** A `kubernetes.io/tls` Secret served as the default certificate; null: the generated pair in certificatesDir. */
  readonly defaultCertificate: { readonly namespace: string; readonly name: string } | null;
  /** Where the generated default certificate lives (`default.crt`, `default.key`), relative to the working directory. */
  readonly certificatesDir: string;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  /** An OpenSSL cipher list for TLS 1.2; null keeps Node's default (modern) list. */
  readonly ciphers: string | null;
}

/** What a hashing balancer hashes (src/snapshot/balancing-policy.ts names it HashOn). */
export type HashOnSetting =
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'cookie'; readonly name: string }
  | { readonly kind: 'client-ip' };

export interface BalancingSettings {
  /** Policy for Services without an `edgeway.io/load-balancer` annotation. */
  readonly policy: 'round-robin' | 'least-request' | 'ewma' | 'ring-hash' | 'maglev';
  /** What ring-hash and maglev hash when the Service has no `edgeway.io/hash-on` annotation. */
  readonly hashOn: HashOnSetting;
  /** Below this summed health (percent, after overprovisioning) every endpoint is used regardless of health. */
  readonly panicThresholdPercent: number;
}

export interface HealthCheckSettings {
  /** Defaults for checks defined by annotation (readinessProbe checks carry their own). */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

export interface OutlierDetectionSettings {
  readonly enabled: boolean;
  /** Failures in a row (connect failure, reset, timeout, 5xx) that eject an endpoint. */
  readonly consecutiveFailures: number;
  /** An ejection lasts base × (ejections so far + 1), at most max. */
  readonly baseEjectionMs: number;
  readonly maxEjectionMs: number;
  /** At most this share of a backend's endpoints is ejected at once (at least one may always be). */
  readonly maxEjectionPercent: number;
}

export interface LocalitySettings {
  /** edgeway's own zone and region; locality routing applies only when the zone is known. */
  readonly zone: string | null;
  readonly region: string | null;
  /** Envoy's overprovisioning factor: a level with healthy share h takes min(1, h × factor) of the traffic. */
  readonly overprovisioningFactor: number;
  /** Prefer close endpoints for every Service (true), or only for Services with spec.trafficDistribution set. */
  readonly preferClose: boolean;
}

/** Another cluster whose Services are federated with the main configuration's by namespace/name. */
export interface ClusterSettings {
  readonly name: string;
  /** Manifest files or directories, loaded like --config. */
  readonly config: readonly string[];
  /** Defaults for endpoints that carry no zone or region of their own. */
  readonly zone: string | null;
  readonly region: string | null;
}

/** The etcd cluster several replicas share their state in (src/shared/); absent, each replica keeps its own state dir. */
export interface EtcdSettings {
  /** Client URLs, each `http://` or `https://` with a host and port. */
  readonly servers: readonly string[];
  /** Every key edgeway writes starts with it, so several edgeway groups can share one etcd. */
  readonly prefix: string;
  /** PEM files; null when not set. certFile and keyFile are both set or both null. */
  readonly caFile: string | null;
  readonly certFile: string | null;
  readonly keyFile: string | null;
}

export interface Settings {
  readonly http: HostPort | null;
  readonly https: HostPort | null;
  readonly tls: TlsSettings;
  readonly admin: HostPort;
  readonly stateDir: string;
  /** Shared state in etcd; null: this replica's own state dir only. */
  readonly etcd: EtcdSettings | null;
  /** Which replica this is (the host name unless set): status, metrics and Events name it. */
  readonly replicaName: string;
  /** The IngressClass `spec.controller` value edgeway answers to. */
  readonly controllerName: string;
  /** Used when no Ingress rule or Ingress default backend matches. */
  readonly defaultBackend: BackendRef | null;
  readonly externalName: { readonly enabled: boolean };
  /** CIDRs whose X-Forwarded-* and X-Request-Id headers are trusted. */
  readonly trustedProxies: readonly string[];
  /** Forward Proxy-Authorization upstream (off by default: it is meant for the proxy, not the backend). */
  readonly forwardProxyAuthorization: boolean;
  readonly upstream: UpstreamSettings;
  readonly downstream: DownstreamSettings;
  readonly balancing: BalancingSettings;
  readonly healthChecks: HealthCheckSettings;
  readonly outlierDetection: OutlierDetectionSettings;
  readonly locality: LocalitySettings;
  readonly clusters: readonly ClusterSettings[];
  readonly retries: RetrySettings;
  readonly limits: LimitSettings;
  readonly overload: OverloadSettings;
  readonly runtime: RuntimeSettings;
  readonly upgrades: UpgradeSettings;
  readonly logging: { readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'; readonly access: boolean };
  readonly addresses: AddressSettings;
  /** Largest configuration file accepted, in bytes. */
  readonly maxConfigBytes: number;
  /** Bounds on each YAML document's text, checked before it is parsed (yaml-limits.ts). */
  readonly yamlLimits: YamlLimits;
  /** Who may write through the admin API; both null means the object API is read-only. */
  readonly adminAuth: AdminAuthSettings;
  /** A TLS Secret the admin listener serves instead of its local CA's certificate; null: the local CA's. */
  readonly adminCertificate: { readonly namespace: string; readonly name: string } | null;
  /** Time in-flight requests get after SIGTERM/SIGINT. */
  readonly drainTimeoutMs: number;
  readonly reload: { readonly watch: boolean };
  readonly dns: DnsSettings;
}

export interface AdminAuthSettings {
  /** The bearer token written in the settings. */
  readonly token: string | null;
  /** A file holding the token, read when the configuration is (re)loaded. */
  readonly tokenFile: string | null;
}

export interface DnsSettings {
  /** Where the DNS server answers (UDP and TCP); null: no DNS server. */
  readonly address: HostPort | null;
  readonly clusterDomain: string;
  readonly ttlSeconds: number;
  /** Resolvers for names outside edgeway's domains, tried in order; none: such names are REFUSED. */
  readonly forwarders: readonly HostPort[];
  /** Federations whose names (SERVICE.NAMESPACE.NAME.svc[.ZONE.REGION|.REGION].DOMAIN) are answered. */
  readonly federations: readonly FederationSettings[];
}

export interface FederationSettings {
  readonly name: string;
  readonly domain: string;
}
