/**
 * One endpoint address of one Service port, after selectors, readiness and named target ports are applied.
 */
export interface ResolvedEndpoint {
  readonly address: string;
  readonly port: number;
  /** Ready: receives new requests. */
  readonly ready: boolean;
  /** Serving: passes readiness even while terminating (EndpointSlice semantics). */
  readonly serving: boolean;
  readonly terminating: boolean;
  /** The Pod (`namespace/name`) or targetRef it came from, when known. */
  readonly targetRef?: string;
  readonly nodeName?: string;
  readonly zone?: string;
  readonly hostname?: string;
  /** Topology region: the Node's `topology.kubernetes.io/region` label, else the cluster's (locality routing). */
  readonly region?: string;
  /** The cluster (settings `clusters[].name`) the endpoint came from; absent for the main configuration. */
  readonly cluster?: string;
  /**
   * Relative share of traffic, a positive integer; absent means 1. EndpointSlices have no weight field, so it comes
   * from the `edgeway.io/weight` annotation of the Pod behind the endpoint (endpoint-extras.ts).
   */
  readonly weight?: number;
  /** The active health check for this endpoint: its Pod's readinessProbe, or the Service's annotations. */
  readonly probe?: HealthProbe;
}

/** An active health check as the checker runs it: what to ask, how often, and how many answers flip the verdict. */
export interface HealthProbe {
  readonly kind: 'http' | 'tcp';
  readonly scheme: 'http' | 'https';
  /** The port to probe (the Pod's, resolved from a name); may differ from the traffic port. */
  readonly port: number;
  /** http only: path and query. */
  readonly path: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly source: 'readinessProbe' | 'annotation';
}

export type BackendResolution =
  | { readonly kind: 'endpoints'; readonly endpoints: readonly ResolvedEndpoint[]; readonly servicePort: number; readonly appProtocol?: string }
  | { readonly kind: 'externalName'; readonly host: string; readonly port: number }
  /** Service or port missing, or ExternalName while disabled: requests get 503. `reason` is a stable code. */
  | { readonly kind: 'unavailable'; readonly reason: string; readonly message: string };
