/**
 * What routing compiles to and what the data plane asks of it. The table is immutable: a reload compiles a new one.
 */
import type { BackendRef } from '../config/settings.ts';
import type { PathType } from '../k8s/types.ts';
import type { RoutePolicy } from './route-policy.ts';

export interface RouteTarget {
  /** `namespace/name` of the Ingress that produced the route, or `settings` for the global default backend. */
  readonly ingress: string;
  /** null for a `resource` backend, which edgeway does not serve (503). */
  readonly backend: BackendRef | null;
  /** backendKey(backend), precomputed so the data plane does no string work per request. */
  readonly backendKey: string | null;
  /** The rule's path as written (for logs), `*` for default backends. */
  readonly path: string;
  readonly pathType: PathType | 'DefaultBackend';
  /** Plain-HTTP requests get a 308 to https (https-redirect.ts); computed at compile time. */
  readonly redirectToHttps: boolean;
  /** Retries, read timeout and body limit from the Ingress's annotations, compiled once (route-policy.ts). */
  readonly policy: RoutePolicy;
  /** A weighted or header-selected split to a canary Service (ingress-nginx's canary annotations); see canary.ts. */
  readonly canary?: CanarySplit;
}

export interface CanarySplit {
  /** `namespace/name` of the canary Ingress. */
  readonly ingress: string;
  readonly backend: BackendRef | null;
  readonly backendKey: string | null;
  /** Requests go to the canary with probability weight / weightTotal (after the header and cookie rules). */
  readonly weight: number;
  readonly weightTotal: number;
  /** Lower-case header name: `always` → canary, `never` → main, other values → the weight decides. */
  readonly header?: string;
  /** With a header: only this exact value selects the canary (other values → the weight decides). */
  readonly headerValue?: string;
  /** Cookie name: `always` → canary, `never` → main. */
  readonly cookie?: string;
}

export interface RouteTable {
  /**
   * @param host lower-case, port and trailing dot removed (see normalize-host.ts); '' when the request had none.
   * @param path normalised (see normalize-path.ts), without the query string.
   */
  match(host: string, path: string): RouteTarget | null;
  /** Distinct exact and wildcard hosts, for status and metrics. */
  readonly hostCount: number;
}

/** `namespace/name:port`, the key under which the snapshot keeps a backend's upstream set. */
export function backendKey(ref: BackendRef): string {
  return `${ref.namespace}/${ref.name}:${ref.port}`;
}
