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
  downstream: {
    keepAliveTimeoutMs: 65_000,
    headersTimeoutMs: 20_000,
    requestTimeoutMs: 300_000,
    maxHeaderBytes: 16_384,
  },
  balancing: { policy: 'round-robin', hashOn: { kind: 'client-ip' }, panicThresholdPercent: 50 },
  healthChecks: { intervalMs: 5_000, timeoutMs: 1_000, failureThreshold: 3, successThreshold: 1 },
  outlierDetection: { enabled: true, consecutiveFailures: 5, baseEjectionMs: 30_000, maxEjectionMs: 300_000, maxEjectionPercent: 50 },
  locality: { zone: null, region: null, overprovisioningFactor: 1.4, preferClose: true },
  clusters: [],
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
