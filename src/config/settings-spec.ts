/**
 * The EdgewaySettings document as settings-document.ts reads it: every field with a schema default present.
 * Generated from schema/edgeway-settings.schema.json by `node scripts/settings-types.ts`; do not edit.
 */

export interface SettingsSpecDocument {
  /** Always edgeway.io/v1alpha1. */
  readonly apiVersion: "edgeway.io/v1alpha1";
  /** Always EdgewaySettings. */
  readonly kind: "EdgewaySettings";
  /** Optional; only name is read (for messages). */
  readonly metadata?: {
    /** A name for messages. */
    readonly name?: string;
    readonly [key: string]: unknown;
  };
  /** The settings. */
  readonly spec?: {
    /** Where edgeway accepts Ingress traffic: a plain-HTTP and an HTTPS listener. */
    readonly entrypoints?: {
      /** The plain-HTTP entrypoint. On unless turned off with enabled: false. */
      readonly http: {
        /** Address the HTTP entrypoint listens on. The default is loopback only; use 0.0.0.0:80 (or a specific interface) to accept traffic from other machines. Written host:port; IPv6 hosts in brackets, e.g. "[::1]:8080"; port 0 lets the OS choose. */
        readonly address: string;
        /** Set false to turn the HTTP entrypoint off, e.g. when only HTTPS is served. */
        readonly enabled: boolean;
      };
      /** The HTTPS entrypoint, terminating TLS with the certificate chosen by SNI from the Ingress tls sections. Off unless this section is written. */
      readonly https?: {
        /** Address the HTTPS entrypoint listens on once the section is written. Written host:port; IPv6 hosts in brackets, e.g. "[::1]:8080"; port 0 lets the OS choose. */
        readonly address: string;
        /** Set false to turn the HTTPS entrypoint off while keeping its section in the file. */
        readonly enabled: boolean;
      };
    };
    /** TLS on the HTTPS entrypoint. Certificates come from the kubernetes.io/tls Secrets named in Ingress spec.tls, chosen by SNI. */
    readonly tls?: {
      /** A kubernetes.io/tls Secret served to clients that send no SNI and for names no Ingress certificate covers. Without it, a self-signed pair is generated at first start into certificatesDir. */
      readonly defaultCertificate?: {
        /** The Secret's namespace. */
        readonly namespace: string;
        /** The Secret's name. */
        readonly name: string;
      };
      /** Directory of the generated default certificate (default.crt, and default.key with mode 0600), relative to the working directory. Point it at persistent storage so clients see the same certificate across restarts. */
      readonly certificatesDir: string;
      /** Lowest TLS version accepted. Raise it to TLSv1.3 when every client supports it. */
      readonly minVersion: "TLSv1.2" | "TLSv1.3";
      /** OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are not affected). Leave it unset to keep Node's built-in modern list; set it only to meet a compliance rule. */
      readonly ciphers?: string;
    };
    /** The admin API: health, readiness, metrics, configuration status and the Kubernetes-style object API. */
    readonly admin?: {
      /** Address of the admin API. Keep it on loopback unless a token protects writes. Written host:port; IPv6 hosts in brackets, e.g. "[::1]:8080"; port 0 lets the OS choose. */
      readonly address: string;
      /** Bearer token that allows writes through the admin API (POST/PUT/PATCH/DELETE of objects, POST /reload); at least 16 characters. Without token or tokenFile the object API is read-only and the admin listener must stay on a loopback address. Prefer tokenFile, which keeps the secret out of the configuration. */
      readonly token?: string;
      /** File holding the bearer token (surrounding whitespace is trimmed), read at start and on every reload, so the token can be rotated without a restart. Relative paths are relative to the working directory. */
      readonly tokenFile?: string;
      /** A kubernetes.io/tls Secret the admin listener serves over HTTPS instead of the certificate it issues from its local CA in stateDir/admin-tls. Read on each TLS connection, so a changed Secret takes effect with the next reload; while it is missing or unusable the local CA's certificate is served and a warning is logged. Clients must then trust the Secret's issuer (edgeway kubeconfig embeds the local CA). */
      readonly certificate?: {
        /** The Secret's namespace. */
        readonly namespace: string;
        /** The Secret's name. */
        readonly name: string;
      };
    };
    /** Directory for persisted allocations (LoadBalancer IPs, ClusterIPs, NodePorts) and objects written through the API, relative to the working directory. Keep it across restarts so addresses stay stable. */
    readonly stateDir: string;
    /** Shared state for several edgeway replicas: the etcd v3 cluster they use. Without it each replica keeps its state in stateDir alone. Read at start; changing it needs a restart. */
    readonly etcd?: {
      /** Client URLs of the etcd members, http:// or https:// (as etcd's --advertise-client-urls). https:// uses TLS, with caFile when it is set. */
      readonly servers: readonly string[];
      /** Key prefix under which the replicas keep their shared state; replicas that share one prefix share objects and addresses. Starts with /. */
      readonly prefix: string;
      /** PEM file with the CA certificates that sign the etcd members' serving certificates; without it the system's trusted CAs are used. Relative paths are relative to the working directory. */
      readonly caFile?: string;
      /** PEM client certificate for etcd's client certificate authentication; needs keyFile. */
      readonly certFile?: string;
      /** PEM private key of certFile; needs certFile. */
      readonly keyFile?: string;
    };
    /** This replica's name, shown in /config/status, the edgeway_replica_info metric and as the reporting instance of Events. Defaults to the host name; give each replica on one machine its own. */
    readonly replicaName?: string;
    /** Which Ingresses edgeway serves. */
    readonly ingress?: {
      /** The IngressClass spec.controller value edgeway answers to. Change it when several Ingress controllers share the manifests. */
      readonly controllerName: string;
    };
    /** Where requests go when no Ingress rule and no Ingress default backend matches. Without it such requests get 404. */
    readonly defaultBackend?: {
      /** A Service and port that receives the unmatched requests. */
      readonly service?: {
        /** The Service's namespace. */
        readonly namespace: string;
        /** The Service's name. */
        readonly name: string;
        /** The Service port, by number or by name. */
        readonly port: number | string;
      };
    };
    /** Services of type ExternalName. */
    readonly externalName?: {
      /** Forward to ExternalName targets, resolved through DNS. Off, they answer 503: turning it on lets the configuration send traffic to any host name, so enable it only for trusted manifests. */
      readonly enabled: boolean;
    };
    /** CIDRs of proxies in front of edgeway whose X-Forwarded-* and X-Request-Id headers are believed. From other clients those headers are replaced. Set it when edgeway runs behind a load balancer that adds them. */
    readonly trustedProxies: readonly string[];
    /** Forward the Proxy-Authorization header to backends. Off because the header is meant for the proxy, not the backend; turn it on only for backends that expect it. */
    readonly forwardProxyAuthorization: boolean;
    /** Connections from edgeway to endpoints: one keep-alive pool per endpoint origin. */
    readonly upstream?: {
      /** Most connections open to one endpoint origin. Lower it for backends that cannot take many connections; requests beyond it wait for a free connection. */
      readonly connections: number;
      /** Requests sent on one connection before the earlier responses arrived; 1 means no pipelining. Raise it only for backends known to handle pipelining correctly. */
      readonly pipelining: number;
      /** Idle time after which edgeway closes a pooled connection. Keep it below the backends' own idle timeout (5s for Node.js and Go servers), so edgeway closes first and never sends on a connection the backend is closing. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly keepAliveTimeout: string;
      /** Upper bound applied to a backend's Keep-Alive: timeout= hint, which otherwise sets the idle time of its connections. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly keepAliveMaxTimeout: string;
      /** Time allowed to open a connection to an endpoint; a connect failure may be retried on another endpoint. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly connectTimeout: string;
      /** Time allowed from sending the request until the response headers arrive. Raise it for backends with slow responses. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly headersTimeout: string;
      /** Idle time allowed between two chunks of a response body. Raise it for streams that stay quiet longer. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly bodyTimeout: string;
    };
    /** Connections from clients to edgeway. */
    readonly downstream?: {
      /** Idle time after which a client connection is closed between requests. Keep it above the idle timeout of load balancers in front of edgeway. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly keepAliveTimeout: string;
      /** Time allowed to receive the request headers, enforced within about a second; protects against clients that send headers slowly. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly headersTimeout: string;
      /** Time allowed to receive the whole request, body included. Raise it for large uploads over slow links. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly requestTimeout: string;
      /** Largest request header block accepted, in bytes; larger requests answer 431. Raise it for clients with very large cookies or tokens. */
      readonly maxHeaderBytes: number;
      /** Most request header lines accepted; more answer 431 rather than being dropped silently. */
      readonly maxHeadersCount: number;
      /** Largest request body: bytes, or a size like "512k", "8m", "1g"; a larger body answers 413. 0 means no limit. An Ingress overrides it with nginx.ingress.kubernetes.io/proxy-body-size. */
      readonly maxBodySize: number | string;
      /** A client connection on which no byte moves either way for this long is closed, which ends slow body uploads and stalled clients. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly idleTimeout: string;
      /** Longest pause between two pieces of a request body from the client; after it the request is answered 408 (or cut, when its response has begun) and the connection closed. Covers clients that stop sending a body they announced. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly bodyTimeout: string;
      /** Longest time a client may go without reading any of its response while edgeway has more to send; after it the response is cut and its upstream request aborted. Covers clients that never read what they asked for. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly sendTimeout: string;
      /** Time allowed to finish the TLS handshake on the HTTPS entrypoint and on Service TLS listeners; connections that have not finished it are closed. Kept in line with headersTimeout: both bound what a client may hold before it has sent a request. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly handshakeTimeout: string;
      /** Read a request body of up to requestBufferSize whole before taking an upstream connection, so a slow upload holds no backend connection while it arrives. Larger bodies stream to the backend once the buffer is full. */
      readonly requestBuffering: boolean;
      /** Largest request body read whole before it is sent upstream (with requestBuffering): bytes, or a size like "64k" or "1m". It bounds the memory a slow upload can hold; larger bodies stream to the backend. */
      readonly requestBufferSize: number | string;
    };
    /** Logs: how much is logged, and whether each request is. */
    readonly logging?: {
      /** Lowest level logged. debug and trace add detail for troubleshooting; silent logs nothing. */
      readonly level: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
      /** Log one line per request. Turn it off when another layer keeps access logs. */
      readonly access: boolean;
    };
    /** Address allocation (LoadBalancer IPs, ClusterIPs, NodePorts) and how the allocated addresses are served. */
    readonly addresses?: {
      /** LoadBalancer address pools, besides MetalLB IPAddressPool objects. With neither, the pool 127.240.0.0/16 (loopback) is used. */
      readonly pools: readonly {
        /** The pool's name, as asked for with the metallb.io/address-pool annotation. */
        readonly name: string;
        /** CIDRs ("192.168.1.0/24") and ranges ("192.168.1.10-192.168.1.20"), IPv4 or IPv6. */
        readonly addresses: readonly string[];
        /** Hand addresses of this pool out to Services that ask for no pool. Set false to reserve the pool for Services that name it. */
        readonly autoAssign: boolean;
        /** Skip IPv4 addresses ending in .0 and .255, which some clients and routers mishandle. */
        readonly avoidBuggyIPs: boolean;
      }[];
      /** Where ClusterIPs come from: at most one CIDR per IP family; the first one's family is the default. The loopback default is bindable without any setup. */
      readonly serviceCIDRs: readonly string[];
      /** The NodePort range, MIN-MAX inclusive. */
      readonly nodePortRange: string;
      /** The spec.loadBalancerClass edgeway serves; LoadBalancer Services with another class are left to other implementations. Services without a class are served. */
      readonly loadBalancerClass: string;
      /** Addresses every NodePort is served on, and the nodes NodePort fan-out sends to when there are no Node objects. */
      readonly nodeAddresses: readonly string[];
      /** How Ingress backends reach a Service: straight to its endpoints, or to its NodePort on the nodes. A Service overrides it with the edgeway.io/upstream-mode annotation. */
      readonly upstreamMode: "endpoints" | "nodePort";
      /** Idle time after which a TCP pass-through connection (LoadBalancer, ClusterIP and NodePort traffic) is closed. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly tcpIdleTimeout: string;
    };
    /** Largest configuration file accepted, in bytes (16 MiB by default). Applies from the next reload. */
    readonly maxConfigBytes: number;
    /** Bounds checked on each YAML document's text before it is parsed, so a hostile document (nested a million levels deep, say) is refused at once instead of exhausting the parser. Applies from the next reload. */
    readonly yaml?: {
      /** Deepest nesting of mappings and sequences in one document. Kubernetes objects nest about 10-15 levels deep. */
      readonly maxDepth: number;
      /** Largest single document, in characters (bytes for ASCII text; 8 MiB by default). maxConfigBytes bounds whole files. */
      readonly maxDocumentChars: number;
    };
    /** Load balancing defaults; a Service chooses its own policy with the edgeway.io/load-balancer annotation. */
    readonly balancing?: {
      /** Policy for Services without an edgeway.io/load-balancer annotation. least-request and ewma favour faster endpoints; ring-hash and maglev keep a client on one endpoint (see hashOn). */
      readonly policy: "round-robin" | "least-request" | "ewma" | "ring-hash" | "maglev";
      /** What ring-hash and maglev hash when the Service has no edgeway.io/hash-on annotation: "header:NAME", "cookie:NAME" or "client-ip". */
      readonly hashOn: string;
      /** Below this summed health of a backend's endpoints, in percent after overprovisioning, health is ignored and every endpoint is used, so a partial outage does not overload the few healthy ones. 0 turns it off. */
      readonly panicThresholdPercent: number;
    };
    /** Defaults for active health checks defined by the edgeway.io/health-check-path annotation (readinessProbe checks carry their own). */
    readonly healthChecks?: {
      /** Time between two checks of one endpoint. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly interval: string;
      /** Time a check may take before it counts as failed. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly timeout: string;
      /** Failed checks in a row that mark an endpoint down. */
      readonly failureThreshold: number;
      /** Passed checks in a row that mark a down endpoint up again. */
      readonly successThreshold: number;
    };
    /** Passive outlier detection: endpoints that keep failing real requests are ejected for a while. */
    readonly outlierDetection?: {
      /** Eject endpoints that keep failing. Turn it off to keep every endpoint in rotation regardless of errors. */
      readonly enabled: boolean;
      /** Failures in a row (connect failure, reset, timeout or 5xx) that eject an endpoint. */
      readonly consecutiveFailures: number;
      /** An ejection lasts this long times the number of ejections the endpoint has had, up to maxEjectionTime. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly baseEjectionTime: string;
      /** Longest ejection. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly maxEjectionTime: string;
      /** At most this share of a backend's endpoints, in percent, is ejected at once; one endpoint may always be. */
      readonly maxEjectionPercent: number;
    };
    /** Where edgeway runs: traffic prefers endpoints in its zone, then its region, then anywhere. */
    readonly locality?: {
      /** edgeway's zone, as in topology.kubernetes.io/zone. Locality routing is off without it. */
      readonly zone?: string;
      /** edgeway's region, as in topology.kubernetes.io/region. */
      readonly region?: string;
      /** A locality whose healthy share is h takes min(1, h × factor) of the traffic; the rest spills to the next. Higher keeps more traffic close while endpoints fail. */
      readonly overprovisioningFactor: number;
      /** Prefer close endpoints for every Service (true), or only for Services that set spec.trafficDistribution (false). */
      readonly preferClose: boolean;
    };
    /** Other clusters: each one's manifests are loaded like --config, and a Service with the same namespace/name there is federated with this configuration's (its endpoints are added). */
    readonly clusters: readonly {
      /** A DNS label naming the cluster; "local" is reserved for the main configuration. */
      readonly name: string;
      /** Manifest files or directories; relative paths are taken from the directory of the file holding these settings. */
      readonly config: readonly string[];
      /** Zone of endpoints from this cluster that carry none of their own. */
      readonly zone?: string;
      /** Region of endpoints from this cluster that carry none of their own. */
      readonly region?: string;
    }[];
    /** Graceful stop on SIGTERM/SIGINT. */
    readonly shutdown?: {
      /** How long in-flight requests may take to finish after SIGTERM/SIGINT before their connections are cut; --drain-timeout overrides it. Keep it below the grace period of whatever stops edgeway. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly drainTimeout: string;
    };
    /** Hot reload of the configuration files. */
    readonly reload?: {
      /** Reload when a --config file or directory changes on disk (debounced 100 ms, at most 500 ms after the first change). SIGHUP and POST /reload work either way; turn it off to reload only on request. */
      readonly watch: boolean;
    };
    /** The optional cluster DNS server (UDP and TCP) answering for Services. */
    readonly dns?: {
      /** Address to answer DNS on, over UDP and TCP. Off unless given. Written host:port; IPv6 hosts in brackets, e.g. "[::1]:8080"; port 0 lets the OS choose. */
      readonly address?: string;
      /** The domain Service names end in (NAME.NAMESPACE.svc.DOMAIN). */
      readonly clusterDomain: string;
      /** TTL of answers, in seconds. Lower it when endpoints change often. */
      readonly ttl: number;
      /** Resolvers that names outside edgeway's domains are forwarded to, tried in order (over UDP, over TCP for queries that came over TCP); without any, such names are REFUSED. Written host:port; IPv6 hosts in brackets. */
      readonly forwarders: readonly string[];
      /** Federations whose names the DNS server answers: SERVICE.NAMESPACE.FEDERATION.svc.DOMAIN (every healthy shard), with ZONE.REGION.DOMAIN or REGION.DOMAIN after svc for one zone or region, falling back by CNAME to the wider name when it has no healthy shard. */
      readonly federations: readonly {
        /** The federation's name, a DNS label. */
        readonly name: string;
        /** The DNS domain the federation's names end in. */
        readonly domain: string;
      }[];
    };
    /** The retry policy of routes whose Ingress sets none, and the retry budget. */
    readonly retries?: {
      /** Retries after the first try; 0 turns retries off. */
      readonly attempts: number;
      /** Comma-separated conditions that are retried: connect-failure, reset, timeout, 500, 502, 503, 504, 5xx, gateway-error. Status retries apply only to idempotent requests without a body. */
      readonly retryOn: string;
      /** Time allowed per try until the response headers; 0 means no limit per try. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly perTryTimeout: string;
      /** No retry starts later than this after the request arrived; 0 means no limit. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly timeout: string;
      /** Caps retries per backend so a failing one is not hammered. */
      readonly budget?: {
        /** Retries may be at most this share (0 to 1) of a backend's requests over the window. */
        readonly ratio: number;
        /** The sliding window over which the budget counts requests and retries. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
        readonly window: string;
        /** Retries always allowed per window, so a backend with little traffic can still be retried. */
        readonly minRetries: number;
      };
    };
    /** Circuit limits per Service; the Service annotations edgeway.io/max-requests and edgeway.io/max-pending-requests override them. */
    readonly limits?: {
      /** Requests in flight to one Service; beyond it new ones answer 503 with X-Edgeway-Limit: max-requests. */
      readonly maxRequests: number;
      /** Requests of one Service waiting for an upstream connection; beyond it new ones answer 503 with X-Edgeway-Limit: max-pending. */
      readonly maxPendingRequests: number;
    };
    /** Load shedding: new requests get 503 with Retry-After while the process is near its limits; requests in flight finish. */
    readonly overload?: {
      /** Event-loop delay (p99 of a 250 ms sample) beyond which new requests are shed; 0 turns the check off. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly maxEventLoopDelay: string;
      /** Heap in use beyond which new requests are shed: bytes or a size like "1g"; 0 means 90% of V8's heap limit. */
      readonly maxHeapSize: number | string;
      /** Retry-After sent with shed requests, in seconds. */
      readonly retryAfterSeconds: number;
    };
    /** The Node.js runtime edgeway runs on. */
    readonly runtime?: {
      /** How far V8's old generation may grow past what survived the last full garbage collection before the next one, in percent: 300 lets it reach 4x, which spares a proxy's small heap the frequent full collections its large young generation otherwise triggers under load. Lower it where memory is tight; 0 leaves the choice to V8. Applied at start and on reload. */
      readonly heapGrowthPercent: number;
      /** Data-plane worker processes of `edgeway serve`: `auto` is one per CPU (os.availableParallelism()), 1 keeps one process serving everything. With more than one, the primary process loads, allocates, answers the admin API and runs health checks, and the workers serve every entrypoint and Service listener (docs/workers.md). `--workers` overrides it. Read at start only. */
      readonly workers: number | "auto";
    };
    /** Upgraded connections (WebSocket) tunnelled to endpoints. */
    readonly upgrades?: {
      /** A tunnel with no bytes either way for this long is closed. Raise it for WebSockets that stay quiet without pings. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly idleTimeout: string;
      /** After a reload removes a tunnel's route, the tunnel is closed after this long. Written as a Go-style duration such as "500ms", "5s", "2m" or "1h30m". */
      readonly removedRouteGrace: string;
    };
  };
}

export type SettingsSpec = NonNullable<SettingsSpecDocument['spec']>;
