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
}

export type BackendResolution =
  | { readonly kind: 'endpoints'; readonly endpoints: readonly ResolvedEndpoint[]; readonly servicePort: number; readonly appProtocol?: string }
  | { readonly kind: 'externalName'; readonly host: string; readonly port: number }
  /** Service or port missing, or ExternalName while disabled: requests get 503. `reason` is a stable code. */
  | { readonly kind: 'unavailable'; readonly reason: string; readonly message: string };
