/**
 * edgeway's own settings, as the rest of the code sees them: every field present, durations in milliseconds.
 *
 * Users write them as one document in the YAML (`apiVersion: edgeway.io/v1alpha1`, `kind: EdgewaySettings`), checked
 * against `schema/edgeway-settings.schema.json`; command-line flags override them. See settings-document.ts for the
 * parsing and the defaults.
 */

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
}

export interface Settings {
  readonly http: HostPort | null;
  readonly https: HostPort | null;
  readonly admin: HostPort;
  readonly stateDir: string;
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
  readonly logging: { readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'; readonly access: boolean };
  /** Largest configuration file accepted, in bytes. */
  readonly maxConfigBytes: number;
}
