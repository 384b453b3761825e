/**
 * The RouteTable the data plane queries per request: hosts matched here with plain Maps, paths by each host's
 * PathTable. A lookup costs at most three Map/tree lookups whatever the number of hosts.
 *
 * Fallback order for a request to host h (documented choice; the README repeats it):
 *   1. the rules whose host is exactly h;
 *   2. if none of their paths matches, the rules of the wildcard `*.<h minus its first label>`;
 *   3. if none of those matches, the rules without a host;
 *   4. then the default backend: the oldest Ingress `spec.defaultBackend`, else settings.defaultBackend;
 *   5. else null (the data plane answers 404).
 * Why: the Kubernetes text says a request is routed by a rule only when both its host and its path match, and that
 * traffic goes to the default backend when "none of the hosts or paths match". A request that matches the host of
 * one rule but not its paths can still match both host and path of a wildcard or host-less rule, so it goes there
 * rather than to the default backend. Among rules that match, the more specific host wins over a longer path.
 * (ingress-nginx differs: once a server block is chosen by host, only its paths apply.)
 */
import type { PathTable } from './path-table.ts';
import { toTreePath } from './path-table.ts';
import type { RouteTable, RouteTarget } from './route-table.ts';

export class HostRouteTable implements RouteTable {
  readonly #exact: ReadonlyMap<string, PathTable>;
  readonly #wildcard: ReadonlyMap<string, PathTable>;
  readonly #anyHost: PathTable | null;
  readonly #fallback: RouteTarget | null;

  /**
   * @param exact by lower-case host.
   * @param wildcard by the suffix after `*.` (`*.example.com` → `example.com`).
   * @param anyHost the rules without a host.
   * @param fallback the default backend, when there is one.
   */
  constructor(exact: ReadonlyMap<string, PathTable>, wildcard: ReadonlyMap<string, PathTable>, anyHost: PathTable | null, fallback: RouteTarget | null) {
    this.#exact = exact;
    this.#wildcard = wildcard;
    this.#anyHost = anyHost;
    this.#fallback = fallback;
  }

  get hostCount(): number {
    return this.#exact.size + this.#wildcard.size;
  }

  match(host: string, path: string): RouteTarget | null {
    const treePath = toTreePath(path);
    if (host !== '') {
      const exact = this.#exact.get(host);
      if (exact !== undefined) {
        const found = exact.match(treePath);
        if (found !== null) return found;
      }
      if (this.#wildcard.size !== 0) {
        const dot = host.indexOf('.');
        if (dot > 0) {
          const wildcard = this.#wildcard.get(host.slice(dot + 1));
          if (wildcard !== undefined) {
            const found = wildcard.match(treePath);
            if (found !== null) return found;
          }
        }
      }
    }
    if (this.#anyHost !== null) {
      const found = this.#anyHost.match(treePath);
      if (found !== null) return found;
    }
    return this.#fallback;
  }
}
