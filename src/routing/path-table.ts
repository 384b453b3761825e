/**
 * The paths of one host: a find-my-way radix tree answering "which rule wins for this path" with Kubernetes
 * precedence (longest matching path, then Exact over Prefix), built once per snapshot.
 *
 * How rules become routes:
 * - Exact `/p` is the static route `/p`.
 * - Prefix `/p` (trailing slash removed, as Kubernetes ignores it) is the static route `/p` plus the wildcard
 *   `/p/*`, which also matches `/p/`. Prefix `/` is `/` plus `/*`. Element-wise matching follows: `/p/*` never
 *   matches `/pq`.
 * - Exact and Prefix of the same path share the static route; Exact takes it (equal length, Exact wins).
 * - find-my-way prefers a static match over a wildcard and, backtracking, the deepest wildcard over shallower
 *   ones, which is exactly "longest match". test/unit/routing-path-matching.test.ts checks this against a plain reference
 *   matcher on random rule sets.
 *
 * find-my-way gives `:`, `*` and `%` meaning (parameters, wildcards, percent-decoding of the request). Ingress paths
 * must match literally, so `:` is escaped as `::` in routes, and `%` and `*` are mapped to two characters that a
 * normalised path never contains (U+0100, U+0101) both in routes and in looked-up paths. Paths without `%` or `*`,
 * the common case, are looked up as they are.
 */
import Router from 'find-my-way';
import type { RouteTarget } from './route-table.ts';

export interface PathRule {
  /** Normalised (see normalize-path.ts); for Prefix without its trailing slash, except `/`. */
  readonly path: string;
  readonly exact: boolean;
  readonly target: RouteTarget;
}

type Instance = Router.Instance<Router.HTTPVersion.V1>;

const EMPTY_QUERY = Object.freeze({});
const noop = (): void => {};
// One function for every router: find() calls it, and a single target keeps that call monomorphic. The query string
// is never routed; this also keeps find() from building an object for it.
const noQuery = (): object => EMPTY_QUERY;

export class PathTable {
  readonly #router: Instance;
  /** By route index: the router's stores are indexes, so one router can serve every host with the same shape. */
  readonly #targets: readonly RouteTarget[];

  /** Use PathTables.build(). */
  constructor(router: Instance, targets: readonly RouteTarget[]) {
    this.#router = router;
    this.#targets = targets;
  }

  /** @param treePath a normalised path passed through toTreePath(). */
  match(treePath: string): RouteTarget | null {
    const found = this.#router.find('GET', treePath);
    return found === null ? null : (this.#targets[(found.store as number) - 1] ?? null);
  }
}

/**
 * Builds the PathTables of one snapshot. find-my-way compiles small functions for every route, which makes a router
 * cost microseconds per route to build; hosts with the same set of routes (the usual multi-tenant case: `/` for
 * each of thousands of hosts) share one router and differ only in their targets. The cache lives only as long as
 * the compilation and holds configured paths, never request values.
 */
export class PathTables {
  readonly #routers = new Map<string, Instance>();

  /** @param rules conflict-free: at most one Exact and one Prefix per path (compile-routes.ts resolves the rest). */
  build(rules: Iterable<PathRule>): PathTable {
    const byRoute = new Map<string, PathRule>();
    const claim = (route: string, rule: PathRule): void => {
      const held = byRoute.get(route);
      if (held === undefined || (rule.exact && !held.exact)) byRoute.set(route, rule);
    };
    for (const rule of rules) {
      const route = escapeRoute(toTreePath(rule.path));
      claim(route, rule);
      if (!rule.exact) claim(route === '/' ? '/*' : `${route}/*`, rule);
    }
    // Routes never contain a newline (normalised paths encode control characters), so this key is unambiguous.
    const routes = [...byRoute.keys()].sort();
    const shape = routes.join('\n');
    let router = this.#routers.get(shape);
    if (router === undefined) {
      router = newRouter(routes);
      this.#routers.set(shape, router);
    }
    return new PathTable(
      router,
      routes.map((route) => (byRoute.get(route) as PathRule).target),
    );
  }

  /** Distinct routers built so far, for tests and metrics. */
  get routerCount(): number {
    return this.#routers.size;
  }
}

function newRouter(routes: readonly string[]): Instance {
  const router = Router({
    ignoreTrailingSlash: false,
    ignoreDuplicateSlashes: false,
    // useSemicolonDelimiter stays at its default (false): `;` is an ordinary path character.
    caseSensitive: true,
    maxParamLength: 65535,
    querystringParser: noQuery,
  });
  // Stores are 1-based: find-my-way turns a falsy store into null.
  routes.forEach((route, index) => router.on('GET', route, noop, index + 1));
  return router;
}

const PERCENT = 0x25;
const STAR = 0x2a;
const PERCENT_STAND_IN = '\u0100';
const STAR_STAND_IN = '\u0101';

/**
 * A normalised path in the form the trees hold: `%` and `*` replaced by stand-ins find-my-way treats as plain
 * characters. Returns the same string when neither occurs (no allocation). Call once per request, then look up in
 * as many tables as needed.
 */
export function toTreePath(path: string): string {
  let i = 0;
  for (; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === PERCENT || c === STAR) break;
  }
  if (i === path.length) return path;
  let out = path.slice(0, i);
  for (; i < path.length; i++) {
    const c = path.charCodeAt(i);
    out += c === PERCENT ? PERCENT_STAND_IN : c === STAR ? STAR_STAND_IN : path.charAt(i);
  }
  return out;
}

/** `:` starts a parameter in a find-my-way route; `::` is a literal colon. */
function escapeRoute(treePath: string): string {
  return treePath.includes(':') ? treePath.replaceAll(':', '::') : treePath;
}
