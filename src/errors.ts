/**
 * Every stable code edgeway reports, in one table: configuration diagnostics (EW_*) and the data plane's
 * request failures (EDGEWAY_*), each with what it means and, for request failures, the HTTP status. Callers
 * match on the code, never on message text. docs/errors.md lists them and test/unit/errors.test.ts keeps it honest.
 *
 * Each area keeps its own section; add codes inside your section only. A code belongs to exactly one section: the
 * spread that builds CODES would silently keep only the last of two definitions, so test/unit/errors.test.ts refuses that.
 */

export interface CodeInfo {
  readonly summary: string;
  /** HTTP status, for codes that answer a request. */
  readonly status?: number;
}

// --- configuration loading (src/config/loader*) ---------------------------------------------------------------
const loading = {
  EW_FILE_NOT_FOUND: { summary: 'A --config path does not exist.' },
  EW_FILE_UNREADABLE: { summary: 'A configuration file could not be read.' },
  EW_FILE_TOO_LARGE: { summary: 'A configuration file is larger than the size limit, or one YAML document in it is larger than 8 MiB.' },
  EW_FILE_EMPTY: { summary: 'A configuration file has no documents.' },
  EW_FILE_BINARY: { summary: 'A configuration file is not text.' },
  EW_DIR_EMPTY: { summary: 'A --config directory holds no *.yaml or *.yml files.' },
  EW_YAML_SYNTAX: { summary: 'A file is not well-formed YAML.' },
  EW_YAML_TOO_DEEP: { summary: 'A YAML document nests collections deeper than 64 levels; it is refused before parsing, like a syntax error.' },
  EW_CONFIG_INVALID: { summary: 'The configuration as a whole cannot be used (see the diagnostics listed with it); nothing is started or swapped in.' },
  EW_OBJECT_MALFORMED: { summary: 'A document is not a Kubernetes object (not a mapping, or no apiVersion, kind or metadata.name); it is skipped.' },
  EW_APPLIED_CORRUPT: {
    summary:
      'The file of objects created through the API was not well-formed YAML at start: it was renamed aside with a timestamp suffix and the objects that could be read are kept.',
  },
} as const satisfies Record<string, CodeInfo>;

// --- object validation (src/config/validate*) ---------------------------------------------------------------------
const validation = {
  EW_FIELD_REQUIRED: { summary: 'A required field is missing.' },
  EW_FIELD_INVALID: { summary: 'A field has a value the API server would reject.' },
  EW_FIELD_TYPE: { summary: 'A field has the wrong type.' },
  EW_FIELD_UNKNOWN: { summary: 'A field is not part of the object schema (warning).' },
  EW_EVENT_READ_ONLY: {
    summary:
      'An Event in a file or an API write: edgeway records its own Events and serves them read-only, so the object is skipped (the write is refused with 422).',
  },
  EW_KIND_UNKNOWN: { summary: 'An object of a kind edgeway does not handle (warning; the object is ignored).' },
  EW_METALLB_NOT_ANNOUNCED: {
    summary:
      'A MetalLB L2Advertisement, BGPAdvertisement, BGPPeer, BFDProfile or Community: edgeway does not announce addresses, so it has no effect (warning).',
  },
  EW_OBJECT_DUPLICATE: { summary: 'Two objects with the same kind, namespace and name.' },
  EW_SETTINGS_INVALID: { summary: 'The EdgewaySettings document does not match its schema.' },
  EW_SETTINGS_DUPLICATE: { summary: 'More than one EdgewaySettings document.' },
  EW_API_VERSION_MISMATCH: { summary: 'A known kind with an apiVersion edgeway does not read (e.g. Ingress in networking.k8s.io/v1beta1).' },
  EW_FIELD_IGNORED: { summary: 'A field that is dropped, such as metadata.namespace on a cluster-scoped kind (warning).' },
  EW_SERVICE_NAME_LABEL_MISSING: { summary: 'An EndpointSlice without the kubernetes.io/service-name label belongs to no Service (warning).' },
} as const satisfies Record<string, CodeInfo>;

// --- routing compilation (src/routing/*) ------------------------------------------------------------------------
const routing = {
  EW_ROUTE_CONFLICT: { summary: 'Two Ingress paths with the same host, path and type; the older one wins.' },
  EW_BACKEND_SERVICE_MISSING: { summary: 'An Ingress backend names a Service that does not exist (requests get 503).' },
  EW_BACKEND_PORT_MISSING: { summary: 'An Ingress backend names a port the Service does not have (requests get 503).' },
  EW_BACKEND_RESOURCE_UNSUPPORTED: {
    summary:
      'An Ingress resource backend, which edgeway does not serve (warning; the path is left out, so its requests get what a missing rule gets, usually 404).',
  },
  EW_ROUTE_HOST_INVALID: { summary: 'An Ingress rule host no request can match (not a DNS name or *.wildcard); the rule is not served.' },
  EW_ROUTE_PATH_INVALID: { summary: 'An Ingress path that is not a valid absolute path; the path is not served.' },
} as const satisfies Record<string, CodeInfo>;

// --- endpoints (src/controllers/endpoints*) --------------------------------------------------------------------------
const endpoints = {
  EW_EXTERNALNAME_DISABLED: { summary: 'An ExternalName Service while externalName is disabled in the settings (requests get 503).' },
  EW_EXTERNALNAME_IN_CLUSTER: {
    summary:
      'An ExternalName whose target lies inside the cluster domain but names no Service, or a chain of ExternalNames too long to be anything but a loop (requests get 503).',
  },
  EW_TARGETPORT_UNRESOLVED: { summary: 'A named targetPort that no selected pod declares (that pod is left out).' },
  EW_ENDPOINTS_PORT_UNMATCHED: { summary: 'An Endpoints object or EndpointSlices with no port named like the Service port (warning; no endpoints for it).' },
  EW_ENDPOINTSLICE_FQDN_UNSUPPORTED: { summary: 'An FQDN EndpointSlice, which edgeway ignores like kube-proxy (warning; use an ExternalName Service).' },
} as const satisfies Record<string, CodeInfo>;

// --- address allocation (src/allocation/*) ---------------------------------------------------------------------
const allocation = {
  EW_POOL_INVALID: { summary: 'An address pool with a bad or overlapping address, or a duplicate name (that pool is ignored).' },
  EW_LB_REQUEST_INVALID: {
    summary: 'A LoadBalancer Service asks for IPs in a way that cannot be met (bad IP, two per family, both annotation and spec.loadBalancerIP).',
  },
  EW_LB_POOL_UNKNOWN: { summary: 'A LoadBalancer Service asks for an address pool that does not exist (stays pending).' },
  EW_LB_POOL_NOT_ALLOWED: {
    summary: 'A LoadBalancer Service asks for a pool, or an address of a pool, whose serviceAllocation does not select it (stays pending).',
  },
  EW_LB_NO_POOL: { summary: 'No pool can serve a LoadBalancer Service: none auto-assigns, or none has its IP family (stays pending).' },
  EW_LB_POOL_EXHAUSTED: { summary: 'Every address of the eligible pools is in use (the Service stays pending until one is freed).' },
  EW_LB_IP_NOT_IN_POOL: { summary: 'A requested LoadBalancer IP is outside every pool, or outside the requested pool (stays pending).' },
  EW_LB_IP_TAKEN: { summary: 'A requested LoadBalancer IP is used by another Service that does not share it (stays pending).' },
  EW_LB_SHARING_REFUSED: { summary: 'Two Services cannot share an IP: allow-shared-ip keys, ports, or traffic policy and selectors differ (stays pending).' },
  EW_NODEPORT_TAKEN: { summary: 'An explicit nodePort is already allocated to another Service (the Service is rejected).' },
  EW_NODEPORT_OUT_OF_RANGE: { summary: 'An explicit nodePort is outside the NodePort range (the Service is rejected).' },
  EW_NODEPORT_EXHAUSTED: { summary: 'No free NodePort is left in the range (the Service is rejected).' },
  EW_CLUSTERIP_TAKEN: { summary: 'An explicit spec.clusterIP is already allocated to another Service (the Service is rejected).' },
  EW_CLUSTERIP_OUT_OF_RANGE: { summary: 'An explicit spec.clusterIP is outside the service CIDR, or reserved (the Service is rejected).' },
  EW_CLUSTERIP_EXHAUSTED: { summary: 'No free ClusterIP is left in the service CIDR (the Service is rejected).' },
  EW_ALLOCATION_DROPPED: { summary: 'A recorded allocation no longer fits the pools or ranges and was redone (warning).' },
  EW_STATE_CORRUPT: { summary: 'The allocation state file cannot be read or parsed; start is refused until it is moved aside.' },
  EW_ALLOCATION_CONFLICT: {
    summary: 'The stored allocation state changed after it was read (another writer); the save is refused and the allocation recomputed from the stored state.',
  },
} as const satisfies Record<string, CodeInfo>;

// --- serving allocated addresses (src/snapshot/compile-addresses.ts, src/dataplane/listeners/*) ---------------------
const addresses = {
  EW_SERVICE_PROTOCOL_UNSUPPORTED: { summary: 'A UDP or SCTP Service port: edgeway serves TCP only, so it is not served (warning and Service condition).' },
  EW_ENTRYPOINT_HTTPS_UNSUPPORTED: {
    summary: 'An HTTPS port on an entrypoint Service while edgeway has no certificates (the HTTPS entrypoint is off): the port is not served (condition).',
  },
  EW_LISTENER_CONFLICT: { summary: 'Two Services would serve the same address:port; the first by namespace/name keeps it (warning and Service condition).' },
  EW_LISTENER_BIND_FAILED: {
    summary: 'A listener on an allocated address could not be bound (EADDRNOTAVAIL, EADDRINUSE, EACCES); a Service condition, the rest is served.',
  },
  EW_NODE_ADDRESS_NOT_LOCAL: {
    summary:
      'A Node InternalIP or ExternalIP that is not an address of this machine: NodePorts are not served there and NodePort fan-out leaves it out (warning).',
  },
  EW_UPSTREAM_MODE_FALLBACK: {
    summary: 'NodePort upstream mode cannot apply (bad edgeway.io/upstream-mode, or no NodePort for the port); the endpoints are used (warning).',
  },
} as const satisfies Record<string, CodeInfo>;

// --- TLS material and SNI (src/tls/*) --------------------------------------------------------------------------
const tls = {
  EW_TLS_SECRET_TYPE: { summary: 'A Secret used for TLS has a type other than kubernetes.io/tls or Opaque.' },
  EW_TLS_SECRET_OPAQUE: { summary: 'A TLS Secret of type Opaque (warning; accepted, but kubernetes.io/tls is expected).' },
  EW_TLS_FIELD_MISSING: { summary: 'A TLS Secret lacks tls.crt or tls.key.' },
  EW_TLS_BASE64_INVALID: { summary: 'A TLS Secret data value is not valid base64.' },
  EW_TLS_PEM_INVALID: { summary: 'tls.crt or tls.key does not hold a parsable PEM certificate or private key.' },
  EW_TLS_KEY_UNSUPPORTED: { summary: 'The private key is neither RSA nor ECDSA.' },
  EW_TLS_KEY_MISMATCH: { summary: 'The private key does not belong to the first (leaf) certificate.' },
  EW_TLS_CHAIN_ORDER: { summary: 'The chain in tls.crt is not leaf first, each certificate issued by the next (warning; served as given).' },
  EW_TLS_CERT_EXPIRED: { summary: 'A certificate in the chain has expired (warning; still served).' },
  EW_TLS_CERT_NOT_YET_VALID: { summary: 'A certificate in the chain is not valid yet (warning; still served).' },
  EW_TLS_SECRET_MISSING: { summary: 'An Ingress tls entry names a Secret that does not exist (its hosts get the default certificate).' },
  EW_TLS_SECRET_INVALID: { summary: 'An Ingress tls entry names a broken Secret (its hosts get the default certificate).' },
  EW_TLS_SECRET_KEPT: { summary: 'A Secret that was usable became broken on a reload; its hosts keep its last good certificate (warning, beside its errors).' },
  EW_TLS_HOST_NOT_COVERED: { summary: 'An Ingress tls host is not covered by the certificate SANs (warning; the host gets the default certificate instead).' },
  EW_TLS_HOST_CONFLICT: { summary: 'Two Ingress tls entries claim the same host with different Secrets (warning; the older one wins).' },
} as const satisfies Record<string, CodeInfo>;

// --- TLS termination and upstream TLS (src/snapshot/compile-tls.ts, src/controllers/backend-tls.ts, HTTPS) -------
const tlsTermination = {
  EW_TLS_DEFAULT_CERT_UNUSABLE: { summary: 'spec.tls.defaultCertificate names a missing or broken Secret (the generated default certificate is served).' },
  EW_BACKEND_TLS_CA_MISSING: {
    summary:
      'edgeway.io/backend-tls-ca names a Secret or ConfigMap that does not exist or has no ca.crt (verification uses the bundled CAs: requests fail closed).',
  },
  EW_BACKEND_TLS_CA_INVALID: {
    summary: 'edgeway.io/backend-tls-ca is malformed or its ca.crt is not a PEM bundle (verification uses the bundled CAs: requests fail closed).',
  },
  EDGEWAY_UPSTREAM_TLS: { summary: 'The TLS handshake with the endpoint failed (certificate not trusted, name mismatch, protocol error).', status: 502 },
} as const satisfies Record<string, CodeInfo>;

// --- balancing, health and locality (src/dataplane/balancers, health, locality; src/routing/canary*) -----------
const balancing = {
  EW_ANNOTATION_INVALID: {
    summary:
      'An annotation has a value edgeway cannot read or use (balancing, weight, health check, retry, timeout, body size, limit); that setting keeps its default.',
  },
  EW_CANARY_UNMATCHED: {
    summary: 'A canary Ingress path that no main Ingress serves for the same host, path and type (warning; the canary path is not served).',
  },
} as const satisfies Record<string, CodeInfo>;

// --- live operation: reload, admin API (src/reload/*, src/admin/*) ------------------------------------------------
const live = {
  EW_ADMIN_TOKEN_UNREADABLE: { summary: 'spec.admin.tokenFile cannot be read or holds too short a token (start fails; a reload is rejected).' },
  EW_ADMIN_NOT_LOOPBACK: {
    summary: 'The admin listener is on a non-loopback address without an admin token (start fails; a reload that removes the token is rejected).',
  },
  EW_RELOAD_LISTEN_FAILED: { summary: 'A reload changed an entrypoint address that cannot be bound (the reload is rejected; the old listeners keep serving).' },
} as const satisfies Record<string, CodeInfo>;

// --- data plane request failures (src/dataplane/*) -----------------------------------------------------------
const requests = {
  EDGEWAY_NO_ROUTE: { summary: 'No Ingress rule or default backend matches the request.', status: 404 },
  EDGEWAY_BACKEND_UNAVAILABLE: { summary: 'The backend Service or port does not exist.', status: 503 },
  EDGEWAY_NO_ENDPOINTS: { summary: 'The backend Service has no ready endpoints.', status: 503 },
  EDGEWAY_UPSTREAM_CONNECT: { summary: 'Connecting to the endpoint failed (refused, unreachable, timed out).', status: 502 },
  EDGEWAY_UPSTREAM_RESET: { summary: 'The endpoint closed or reset the connection before a response.', status: 502 },
  EDGEWAY_UPSTREAM_TIMEOUT: { summary: 'The endpoint did not answer in time.', status: 504 },
  EDGEWAY_UPSTREAM_PROTOCOL: { summary: 'The endpoint sent a response that is not valid HTTP.', status: 502 },
  EDGEWAY_DNS_FAILED: { summary: 'Resolving an ExternalName target failed.', status: 502 },
  EDGEWAY_CLIENT_CLOSED: {
    summary: 'The client went away before the response was complete; the upstream request was cancelled (logged as 499, as nginx does).',
    status: 499,
  },
  EDGEWAY_BAD_REQUEST: { summary: 'The request is malformed (bad target or Host).', status: 400 },
  EDGEWAY_HTTP_VERSION: {
    summary: 'An HTTP/1 connection sent a request line with another version (HTTP/2.0, HTTP/0.9); the connection is closed.',
    status: 505,
  },
  EDGEWAY_INTERNAL: {
    summary: 'edgeway itself failed while handling the request (a bug, logged at error level); the connection is closed and the process keeps serving.',
    status: 500,
  },
} as const satisfies Record<string, CodeInfo>;

// --- resilience and the front door (src/routing/route-policy.ts, src/dataplane/request/request-framing.ts, retries, limits,
// overload, upgrades) -------------------------------------------------------------------------------------------
const resilience = {
  // EW_ANNOTATION_INVALID (a retry, timeout, body-size or limit annotation edgeway cannot read) is defined once, in balancing.
  EW_ANNOTATION_IGNORED: { summary: 'An annotation value edgeway accepts but does not act on, such as proxy-next-upstream non_idempotent (warning).' },
  EDGEWAY_HEADERS_TOO_MANY: { summary: 'The request has more header lines than downstream.maxHeadersCount.', status: 431 },
  EDGEWAY_BODY_TOO_LARGE: { summary: 'The request body is larger than the route allows (downstream.maxBodySize or proxy-body-size).', status: 413 },
  EDGEWAY_BODY_TIMEOUT: {
    summary: 'The client sent no part of the request body for downstream.bodyTimeout; the connection is closed (cut instead when the response had begun).',
    status: 408,
  },
  EDGEWAY_REQUEST_TIMEOUT: {
    summary: "An HTTP/2 request was not received whole within downstream.requestTimeout (HTTP/1.1 gets Node's 408 for the same); the stream is closed.",
    status: 408,
  },
  EDGEWAY_FRAMING_AMBIGUOUS: {
    summary: 'Content-Length with Transfer-Encoding, several or bad Content-Length, or a Transfer-Encoding other than exactly chunked.',
    status: 400,
  },
  EDGEWAY_BODY_MALFORMED: {
    summary: 'The request body broke its chunked framing part-way (a bad chunk size); the upstream request was aborted and the connection closed.',
    status: 400,
  },
  EDGEWAY_HOST_AMBIGUOUS: { summary: 'Several Host headers, or an absolute-form target whose authority differs from Host.', status: 400 },
  EDGEWAY_LIMIT_MAX_REQUESTS: { summary: 'The Service already has its maximum of requests in flight (X-Edgeway-Limit: max-requests).', status: 503 },
  EDGEWAY_LIMIT_MAX_PENDING: {
    summary: 'The Service already has its maximum of requests waiting for a connection (X-Edgeway-Limit: max-pending).',
    status: 503,
  },
  EDGEWAY_OVERLOADED: { summary: 'edgeway is shedding load (event-loop delay or heap near its budget); retry after Retry-After.', status: 503 },
  EDGEWAY_UPGRADE_FAILED: { summary: 'An Upgrade (WebSocket) request could not be tunnelled to an endpoint.', status: 502 },
  EDGEWAY_UPGRADE_REFUSED: { summary: 'An Upgrade to h2c, which would give the client a raw HTTP/2 connection past routing.', status: 400 },
  EDGEWAY_UPSTREAM_SEND_TIMEOUT: {
    summary: 'The endpoint took none of the request body for longer than the route allows (proxy-send-timeout); the upload was cut and the connection closed.',
    status: 504,
  },
} as const satisfies Record<string, CodeInfo>;

// --- access rules: ingress-nginx's protective annotations (src/routing/access-policy.ts, nginx-annotations.ts,
// src/dataplane/request/access-control.ts) -----------------------------------------------------------------------
const access = {
  EW_ANNOTATION_UNSUPPORTED: {
    summary:
      'An nginx.ingress.kubernetes.io annotation edgeway does not honour: what it does in ingress-nginx does not happen (warning naming it; an error for auth-url and auth-tls-secret, whose routes then refuse every request with 503).',
  },
  EW_ANNOTATION_SNIPPET_REFUSED: {
    summary: 'A snippet annotation (configuration-snippet, server-snippet, ...): nginx configuration edgeway never runs (warning naming it).',
  },
  EW_AUTH_SECRET_INVALID: {
    summary: 'auth-type: basic without a usable auth-secret (missing, in another namespace, no auth key): the routes refuse every request (503).',
  },
  EW_HTPASSWD_REFUSED: { summary: 'An htpasswd line or auth-map entry with a crypt(3), plain-text or malformed hash: that user cannot sign in (warning).' },
  EDGEWAY_ACCESS_DENIED: {
    summary: 'The client address is outside the allowlist-source-range (whitelist-source-range) or inside the denylist-source-range.',
    status: 403,
  },
  EDGEWAY_AUTH_REQUIRED: {
    summary: 'The route needs basic authentication and the request had no valid credentials (WWW-Authenticate names the realm).',
    status: 401,
  },
  EDGEWAY_AUTH_BUSY: {
    summary:
      'The route needs a bcrypt password check and the most edgeway runs at once are running; retry after Retry-After (already verified passwords are not checked again).',
    status: 503,
  },
  EDGEWAY_RATE_LIMITED: { summary: "The client went over the route's limit-rps or limit-rpm (with its burst).", status: 503 },
  EDGEWAY_CONNECTION_LIMITED: { summary: 'The client already has limit-connections requests in flight on the route.', status: 503 },
  EDGEWAY_ACCESS_MISCONFIGURED: {
    summary: "A protective annotation of the route's Ingress cannot be used (see its diagnostic); every request is refused until it is fixed.",
    status: 503,
  },
} as const satisfies Record<string, CodeInfo>;

// --- state shared by replicas in etcd (src/shared/*) ---------------------------------------------------------------
const shared = {
  EW_ETCD_TLS_UNREADABLE: {
    summary: 'A file named by spec.etcd.caFile, certFile or keyFile (or --etcd-cafile, --etcd-certfile, --etcd-keyfile) cannot be read; start fails.',
  },
} as const satisfies Record<string, CodeInfo>;

// --- objects shared by replicas in etcd (src/store/etcd-*.ts, src/shared/replica-files.ts) -----------------------
const sharedObjects = {
  EW_STORED_OBJECT_INVALID: {
    summary:
      'A value under the etcd registry prefix is not an object edgeway can serve (not JSON, unknown kind, invalid, or stored under another key); it alone is left out.',
  },
  EW_OBJECT_SHADOWED: {
    summary: 'An object written through the API has the identity of one in a configuration file on this replica: the file wins here (warning).',
  },
  EW_REPLICA_FILES_DISAGREE: {
    summary: "Two replicas' configuration files define the same object differently: each serves its own (warning, also an Event).",
  },
  EW_REPLICA_FILES_UNREADABLE: {
    summary:
      "Another replica's published file fingerprints (the etcd key named) cannot be read: this replica's files are not compared with that replica's until it publishes a readable value (warning).",
  },
  EW_WRITE_CONFLICT: { summary: 'An API write lost the race to writes through other replicas five times in a row; it was not stored (409).', status: 409 },
  EW_SHARED_STATE_UNREACHABLE: { summary: 'etcd cannot be reached: the last good snapshot keeps serving, writes through the API answer 503.', status: 503 },
} as const satisfies Record<string, CodeInfo>;

export const CODES = {
  ...loading,
  ...validation,
  ...routing,
  ...endpoints,
  ...allocation,
  ...addresses,
  ...tls,
  ...tlsTermination,
  ...balancing,
  ...live,
  ...requests,
  ...resilience,
  ...access,
  ...shared,
  ...sharedObjects,
} as const;

export type Code = keyof typeof CODES;
