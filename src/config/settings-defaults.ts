/**
 * The settings edgeway runs with when the configuration has no EdgewaySettings document, and for each field the
 * document leaves out or gets wrong. Loopback addresses by default: nothing is exposed until asked for.
 */
import type { Settings } from './settings.ts';

export const DEFAULT_HTTPS = { host: '127.0.0.1', port: 8443 } as const;

export const DEFAULT_SETTINGS: Settings = Object.freeze<Settings>({
  http: { host: '127.0.0.1', port: 8080 },
  https: null,
  tls: { defaultCertificate: null, certificatesDir: 'certs', minVersion: 'TLSv1.2', ciphers: null },
  admin: { host: '127.0.0.1', port: 9901 },
  stateDir: '.edgeway-state',
  controllerName: 'edgeway.io/ingress-controller',
  defaultBackend: null,
  externalName: { enabled: false },
  trustedProxies: [],
  forwardProxyAuthorization: false,
  upstream: {
    connections: 128,
    pipelining: 1,
    keepAliveTimeoutMs: 4_000,
    keepAliveMaxTimeoutMs: 60_000,
    connectTimeoutMs: 5_000,
    headersTimeoutMs: 60_000,
    bodyTimeoutMs: 60_000,
  },
  // Front-door limits (README "Retries, limits, upgrades and the front door" gives the sources): Envoy's edge
  // recommendations (request_headers_timeout 10s, max_headers_count 100) and nginx's (client_body_timeout 60s,
  // keepalive 65-75s, 8-16 KiB header buffers). nginx's 1 MiB body limit breaks ordinary uploads; 100 MiB is kept.
  downstream: {
    keepAliveTimeoutMs: 65_000,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 300_000,
    maxHeaderBytes: 16_384,
    maxHeadersCount: 100,
    maxBodyBytes: 100 * 1024 * 1024,
    idleTimeoutMs: 60_000,
  },
  balancing: { policy: 'round-robin', hashOn: { kind: 'client-ip' }, panicThresholdPercent: 50 },
  healthChecks: { intervalMs: 5_000, timeoutMs: 1_000, failureThreshold: 3, successThreshold: 1 },
  outlierDetection: { enabled: true, consecutiveFailures: 5, baseEjectionMs: 30_000, maxEjectionMs: 300_000, maxEjectionPercent: 50 },
  locality: { zone: null, region: null, overprovisioningFactor: 1.4, preferClose: true },
  clusters: [],
  // Retry what provably did not run (connect failures) and what died before any response byte (resets, the
  // keep-alive race); 5xx are retried only where an Ingress asks. Envoy's budget default is 20% of requests.
  retries: {
    policy: { retries: 2, on: { connectFailure: true, reset: true, timeout: false, statuses: [] }, perTryTimeoutMs: 0, totalTimeoutMs: 0 },
    budgetRatio: 0.2,
    budgetWindowMs: 10_000,
    budgetMinRetries: 10,
  },
  // Envoy's circuit-breaker defaults.
  limits: { maxRequests: 1024, maxPendingRequests: 1024 },
  overload: { maxEventLoopDelayMs: 500, maxHeapBytes: 0, retryAfterSeconds: 1 },
  runtime: { heapGrowthPercent: 300 },
  upgrades: { idleTimeoutMs: 300_000, removedRouteGraceMs: 30_000 },
  logging: { level: 'info', access: true },
  addresses: {
    pools: [],
    serviceCIDRs: ['127.96.0.0/12'],
    nodePortRange: { min: 30000, max: 32767 },
    loadBalancerClass: 'edgeway.io/lb',
    nodeAddresses: ['127.0.0.1'],
    upstreamMode: 'endpoints',
    tcpIdleTimeoutMs: 600_000,
  },
  maxConfigBytes: 16 * 1024 * 1024,
  adminAuth: { token: null, tokenFile: null },
  drainTimeoutMs: 30_000,
  reload: { watch: true },
  dns: { address: null, clusterDomain: 'cluster.local', ttlSeconds: 5 },
});
