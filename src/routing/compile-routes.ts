/**
 * Compiles the Ingresses edgeway serves into one immutable RouteTable. Pure: reads the store and the settings,
 * returns the table, the backends it can return and diagnostics; a bad path or backend degrades only itself.
 *
 * Rules (the README repeats them):
 * - Ingresses are chosen by class (ingress-class.ts).
 * - Rules for the same host are merged across Ingresses. The same host, path and effective type twice is a
 *   conflict: the older Ingress (metadata.creationTimestamp; a missing or unreadable one counts as newest) wins,
 *   then the first by `namespace/name`, then the first in document order within one Ingress. The loser gets an
 *   EW_ROUTE_CONFLICT warning at the losing path, naming the winner.
 * - `ImplementationSpecific` is matched as `Prefix` (the spec leaves it to the implementation; Prefix is what most
 *   controllers do and the least surprising). It therefore conflicts with a Prefix of the same path. An
 *   ImplementationSpecific rule without a path means `/`.
 * - Prefix paths ignore a trailing slash for matching: Prefix `/foo/` matches `/foo`, `/foo/` and `/foo/x`, as
 *   Prefix `/foo` does. Exact `/foo` beats either for the request `/foo` (equal matched length, Exact wins). Of
 *   Prefix `/foo/` and Prefix `/foo` on one host, the longer one as written takes every request they both match, as
 *   the Ingress specification gives the longer path priority; the other gets EW_ROUTE_CONFLICT.
 * - Rule paths go through normalizePath like request paths, so that what is written is what can match.
 * - `spec.defaultBackend` applies to requests that match no rule on any host; with several, the oldest Ingress
 *   wins (EW_ROUTE_CONFLICT on the others). Then settings.defaultBackend; else no route (404).
 * - Host fallback order: see host-route-table.ts.
 * - HTTP → HTTPS redirects: see https-redirect.ts.
 * - An Ingress annotated `nginx.ingress.kubernetes.io/canary: "true"` adds no routes: each of its paths splits the
 *   traffic of the main route with the same host, path and type (canary.ts); one without such a route gets
 *   EW_CANARY_UNMATCHED. With several canaries for one route, the oldest wins.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import type { BackendRef, Settings } from '../config/settings.ts';
import type { Ingress, IngressClass } from '../k8s/types.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { HostRouteTable } from './host-route-table.ts';
import { hostHasTls, tlsHostsOf } from './https-redirect.ts';
import { canaryAnnotations, isCanary } from './canary.ts';
import { hostKey, warning, withRedirect, type Field, type PathStep, type Ranked } from './ingress-routes.ts';
import { normalizePath } from './normalize-path.ts';
import type { PathRule, PathTable } from './path-table.ts';
import { PathTables } from './path-table.ts';
import { ingressBackendRef } from './ingress-backend-ref.ts';
import { HONOURED_ON_CANARY, unhonouredAnnotations } from './nginx-annotations.ts';
import type { CanarySplit, RouteTable, RouteTarget } from './route-table.ts';
import { defaultRoutePolicy, type RoutePolicy } from './route-policy.ts';
import { backendKey } from './route-table.ts';
import { RoutesMemo } from './routes-memo.ts';

export interface CompiledRoutes {
  readonly table: RouteTable;
  /** Every backend the table can return, by backendKey(). */
  readonly backends: ReadonlyMap<string, BackendRef>;
  /**
   * The route-specific connect timeouts (proxy-connect-timeout) each backend is reached with, by backendKey(); a
   * backend only routes with the default use is absent. Binding opens a pool per endpoint and timeout for these.
   */
  readonly connectTimeouts: ReadonlyMap<string, ReadonlySet<number>>;
  /** Conflicts, missing services/ports, resource backends, unusable hosts/paths; they never fail the build. */
  readonly diagnostics: readonly Diagnostic[];
  /** `namespace/name` of the Ingresses edgeway serves (class matched), sorted. */
  readonly ingresses: readonly string[];
}

/** Who holds a host+path+type (or the default backend), for conflict messages. */
interface Claim {
  readonly ingress: Ranked;
  readonly sameIngressNote: string;
}

interface HostRules {
  readonly exact: Map<string, PathRule[]>;
  readonly wildcard: Map<string, PathRule[]>;
  readonly anyHost: PathRule[];
}

/**
 * @param memo kept by the caller from one compilation to the next: unchanged Ingresses and hosts are reused from
 *   it (routes-memo.ts); without one everything is compiled anew. The result is the same either way.
 */
export function compileRoutes(store: ObjectStore, settings: Settings, memo: RoutesMemo = new RoutesMemo()): CompiledRoutes {
  const { ranked, ids } = memo.order(store.list<Ingress>('Ingress'), store.list<IngressClass>('IngressClass'), settings.controllerName);

  const diagnostics: Diagnostic[] = [];
  const backends = new Map<string, BackendRef>();
  const connectTimeouts = new Map<string, Set<number>>();
  const timedConnect = (key: string, policy: RoutePolicy): void => {
    if (policy.connectTimeoutMs === 0) return;
    let set = connectTimeouts.get(key);
    if (set === undefined) connectTimeouts.set(key, (set = new Set()));
    set.add(policy.connectTimeoutMs);
  };
  const claims = new Map<string, Claim>();
  const rules: HostRules = { exact: new Map(), wildcard: new Map(), anyHost: [] };
  let ingressDefault: RouteTarget | null = null;
  const tlsHosts = settings.https === null ? null : tlsHostsOf(ranked.map((r) => r.loaded.object));

  const keep = (target: RouteTarget): void => {
    if (target.backend !== null && target.backendKey !== null) {
      backends.set(target.backendKey, target.backend);
      timedConnect(target.backendKey, target.policy);
    }
  };
  /** Records the claim, or reports the conflict on the loser and returns false. */
  const claim = (key: string, ingress: Ranked, at: Field, what: string, note: string): boolean => {
    const held = claims.get(key);
    if (held === undefined) {
      claims.set(key, { ingress, sameIngressNote: note });
      return true;
    }
    const why =
      held.ingress === ingress
        ? `already defined ${held.sameIngressNote} of this Ingress, which comes first`
        : `also defined by Ingress ${held.ingress.id}, which ${held.ingress.created < ingress.created ? 'is older' : 'is as old and sorts first by namespace/name'}`;
    diagnostics.push(warning(ingress.loaded, 'EW_ROUTE_CONFLICT', at, `${what} is ${why}; this one is not served. Remove one of them.`));
    return false;
  };

  const canaries: Ranked[] = [];
  /** Attaches a canary Ingress's paths to the main routes they split. */
  const addCanary = (ingress: Ranked): void => {
    const annotations = ingress.loaded.object.metadata.annotations ?? {};
    diagnostics.push(...unhonouredAnnotations(ingress.loaded, HONOURED_ON_CANARY));
    const { rules: split, problems } = canaryAnnotations(annotations);
    for (const [key, message] of problems) diagnostics.push(warning(ingress.loaded, 'EW_ANNOTATION_INVALID', ['metadata', 'annotations', key], message));
    (ingress.loaded.object.spec.rules ?? []).forEach((rule, r) => {
      const host = hostKey(rule.host);
      if (host === null) return;
      (rule.http?.paths ?? []).forEach((p, i) => {
        const at = ['spec', 'rules', r, 'http', 'paths', i];
        const written = p.path === undefined || p.path === '' ? (p.pathType === 'ImplementationSpecific' ? '/' : '') : p.path;
        const normal = written === '' ? null : normalizePath(written);
        if (normal === null) return;
        const exact = p.pathType === 'Exact';
        const path = !exact && normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
        const list = host.kind === 'exact' ? rules.exact.get(host.name) : host.kind === 'wildcard' ? rules.wildcard.get(host.name) : rules.anyHost;
        const index = list?.findIndex((x) => x.path === path && x.exact === exact) ?? -1;
        const main = index === -1 ? undefined : list![index]!;
        if (main === undefined) {
          diagnostics.push(
            warning(
              ingress.loaded,
              'EW_CANARY_UNMATCHED',
              [...at, 'path'],
              `canary path "${path}" (${exact ? 'Exact' : 'Prefix'}) for ${host.label} has no main Ingress path to split; add the main Ingress first (a canary only shares an existing route's traffic)`,
            ),
          );
          return;
        }
        if (main.target.canary !== undefined) {
          diagnostics.push(
            warning(
              ingress.loaded,
              'EW_ROUTE_CONFLICT',
              [...at, 'path'],
              `path "${path}" for ${host.label} already has the canary of Ingress ${main.target.canary.ingress}, which is older; this canary is not used. Remove one of them.`,
            ),
          );
          return;
        }
        const resolved = ingressBackendRef(store, ingress.loaded, p.backend, [...at, 'backend']);
        diagnostics.push(...resolved.diagnostics);
        const ref = resolved.ref;
        const canary: CanarySplit = Object.freeze({ ...split, ingress: ingress.id, backend: ref, backendKey: ref === null ? null : backendKey(ref) });
        if (ref !== null) {
          backends.set(backendKey(ref), ref);
          // The canary's requests carry the main route's policy.
          timedConnect(backendKey(ref), main.target.policy);
        }
        list![index] = { ...main, target: Object.freeze({ ...main.target, canary }) };
      });
    });
  };

  const compiled = ranked.map((ingress) => (isCanary(ingress.loaded.object.metadata.annotations) ? null : memo.routes(store, ingress, settings)));
  // Prefix `/foo` and `/foo/` claim the same routes; the longer as written wins, whatever the Ingresses' ages.
  const longest = new Map<string, { readonly step: PathStep; readonly ingress: Ranked }>();
  compiled.forEach((routes, n) => {
    for (const step of routes?.steps ?? []) {
      if (step.kind !== 'path' || step.exact) continue;
      const held = longest.get(step.claimKey);
      if (held === undefined || step.written.length > held.step.written.length) longest.set(step.claimKey, { step, ingress: ranked[n]! });
    }
  });

  for (const [n, ingress] of ranked.entries()) {
    const routes = compiled[n];
    if (routes === null || routes === undefined) {
      canaries.push(ingress);
      continue;
    }
    const redirects = tlsHosts !== null && routes.sslRedirect;
    for (const step of routes.steps) {
      if (step.kind === 'diagnostic') diagnostics.push(step.diagnostic);
      else if (step.kind === 'default') {
        if (claim('default', ingress, step.at, 'the default backend', '')) {
          ingressDefault = step.target;
          keep(step.target);
        }
      } else {
        const { host } = step;
        const redirect = tlsHosts !== null && (routes.forceSslRedirect || (redirects && hostHasTls(tlsHosts, host.kind, host.name)));
        const target = redirect ? withRedirect(step.target) : step.target;
        const winner = step.exact ? undefined : longest.get(step.claimKey);
        if (winner !== undefined && winner.step.written.length > step.written.length) {
          const by = winner.ingress === ingress ? `${winner.step.note} of this Ingress` : `Ingress ${winner.ingress.id}`;
          diagnostics.push(
            warning(
              ingress.loaded,
              'EW_ROUTE_CONFLICT',
              step.at,
              `${step.what} is also written "${winner.step.written}" by ${by}, which is longer and takes priority for every request both match; this one is not served. Remove one of them.`,
            ),
          );
          continue;
        }
        if (!claim(step.claimKey, ingress, step.at, step.what, step.note)) continue;
        keep(target);
        const list = host.kind === 'exact' ? listIn(rules.exact, host.name) : host.kind === 'wildcard' ? listIn(rules.wildcard, host.name) : rules.anyHost;
        // A path step is a PathRule itself: no new rule per path per compile unless the target became a redirect.
        list.push(target === step.target ? step : { path: step.path, exact: step.exact, target });
      }
    }
  }

  for (const ingress of canaries) addCanary(ingress);

  let fallback = ingressDefault;
  if (fallback === null && settings.defaultBackend !== null) {
    const ref = settings.defaultBackend;
    fallback = Object.freeze({
      ingress: 'settings',
      backend: ref,
      backendKey: backendKey(ref),
      path: '*',
      pathType: 'DefaultBackend',
      redirectToHttps: false,
      policy: defaultRoutePolicy(settings),
    });
    keep(fallback);
  }

  const pathTables = new PathTables();
  const table = new HostRouteTable(
    tables(memo, pathTables, 'exact', rules.exact),
    tables(memo, pathTables, 'wildcard', rules.wildcard),
    rules.anyHost.length === 0 ? null : memo.table('any', '', rules.anyHost, pathTables),
    fallback,
  );
  memo.settle();
  return Object.freeze({
    table,
    backends,
    connectTimeouts,
    diagnostics: Object.freeze(diagnostics),
    ingresses: ids,
  });
}

function tables(memo: RoutesMemo, pathTables: PathTables, kind: string, byHost: ReadonlyMap<string, readonly PathRule[]>): ReadonlyMap<string, PathTable> {
  const out = new Map<string, PathTable>();
  for (const [host, list] of byHost) out.set(host, memo.table(kind, host, list, pathTables));
  return out;
}

function listIn(map: Map<string, PathRule[]>, key: string): PathRule[] {
  let list = map.get(key);
  if (list === undefined) map.set(key, (list = []));
  return list;
}
