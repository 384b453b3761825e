/**
 * What one (non-canary) Ingress contributes to the route table, as the steps compile-routes.ts replays in order:
 * diagnostics about its own fields and backends, its default backend, and its paths with the claim key each one
 * takes. Everything here depends only on the Ingress, the settings and the store reads made through `store`, and
 * nothing on the other Ingresses: conflicts between Ingresses, canaries and HTTPS redirects are decided at replay.
 * That split is what lets a reload reuse the steps of every unchanged Ingress (routes-memo.ts).
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Settings } from '../config/settings.ts';
import type { Ingress, IngressBackend } from '../k8s/types.ts';
import { objectRef } from '../k8s/types.ts';
import type { StoreReader } from '../store/object-store.ts';
import { compileAccessPolicy } from './access-policy.ts';
import { allowsSslRedirect, forcesSslRedirect } from './https-redirect.ts';
import { ingressBackendRef } from './ingress-backend-ref.ts';
import { normalizeHost } from './normalize-host.ts';
import { normalizePath } from './normalize-path.ts';
import { unhonouredAnnotations } from './nginx-annotations.ts';
import { compileRoutePolicy, type RoutePolicy } from './route-policy.ts';
import { backendKey, type RouteTarget } from './route-table.ts';

export type Field = readonly (string | number)[];

export interface Ranked {
  readonly loaded: LoadedObject<Ingress>;
  /** `namespace/name`. */
  readonly id: string;
  /** Milliseconds since the epoch; +Infinity when missing. */
  readonly created: number;
}

export interface HostKey {
  readonly kind: 'exact' | 'wildcard' | 'any';
  /** The lookup key: the host, the suffix after `*.`, or ''. */
  readonly name: string;
  /** For messages. */
  readonly label: string;
}

export interface PathStep {
  readonly kind: 'path';
  /** The field the claim (and a conflict) points at: the path of `spec.rules[r].http.paths[i]`. */
  readonly at: Field;
  readonly claimKey: string;
  readonly what: string;
  readonly note: string;
  readonly host: HostKey;
  readonly path: string;
  /** The normalised path as written, before a Prefix's trailing slash is dropped: `/foo/` beats `/foo`. */
  readonly written: string;
  readonly exact: boolean;
  /** Without the HTTPS redirect; compile-routes.ts derives the redirecting one when the host has TLS. */
  readonly target: RouteTarget;
}

export type IngressStep =
  | { readonly kind: 'diagnostic'; readonly diagnostic: Diagnostic }
  | { readonly kind: 'default'; readonly at: Field; readonly target: RouteTarget }
  | PathStep;

export interface IngressRoutes {
  readonly ranked: Ranked;
  /** The Ingress allows HTTPS redirects (https-redirect.ts); whether they happen depends on the TLS hosts of all. */
  readonly sslRedirect: boolean;
  /** Every path of the Ingress redirects while the HTTPS entrypoint is on, TLS section or not (force-ssl-redirect). */
  readonly forceSslRedirect: boolean;
  readonly steps: readonly IngressStep[];
}

export function ingressRoutes(store: StoreReader, ranked: Ranked, settings: Settings): IngressRoutes {
  const loaded = ranked.loaded;
  const steps: IngressStep[] = [];
  const compiledPolicy = compileRoutePolicy(loaded, settings);
  const compiledAccess = compileAccessPolicy(store, loaded);
  for (const diagnostic of unhonouredAnnotations(loaded)) steps.push({ kind: 'diagnostic', diagnostic });
  for (const diagnostic of compiledPolicy.diagnostics) steps.push({ kind: 'diagnostic', diagnostic });
  for (const diagnostic of compiledAccess.diagnostics) steps.push({ kind: 'diagnostic', diagnostic });
  const policy: RoutePolicy =
    compiledAccess.access === null ? compiledPolicy.policy : Object.freeze({ ...compiledPolicy.policy, access: compiledAccess.access });
  const targetFor = (backend: IngressBackend, at: Field, path: string, pathType: RouteTarget['pathType']): RouteTarget => {
    const resolved = ingressBackendRef(store, loaded, backend, at);
    for (const diagnostic of resolved.diagnostics) steps.push({ kind: 'diagnostic', diagnostic });
    return newTarget(ranked.id, resolved.ref, path, pathType, policy);
  };
  const { spec } = loaded.object;
  // A resource backend names something that is not a Service (a bucket, a CRD): edgeway serves none, so its path is
  // left out as if it were not written (ingressBackendRef reports it), and requests fall to whatever else matches.
  if (spec.defaultBackend?.resource !== undefined && spec.defaultBackend.service === undefined) {
    targetFor(spec.defaultBackend, ['spec', 'defaultBackend'], '*', 'DefaultBackend');
  } else if (spec.defaultBackend !== undefined) {
    const at = ['spec', 'defaultBackend'];
    steps.push({ kind: 'default', at, target: targetFor(spec.defaultBackend, at, '*', 'DefaultBackend') });
  }
  (spec.rules ?? []).forEach((rule, r) => {
    const host = hostKey(rule.host);
    if (host === null) {
      steps.push({
        kind: 'diagnostic',
        diagnostic: error(
          loaded,
          'EW_ROUTE_HOST_INVALID',
          ['spec', 'rules', r, 'host'],
          `host "${rule.host}" is not a valid DNS name or wildcard (*.example.com); this rule is not served.`,
        ),
      });
      return;
    }
    (rule.http?.paths ?? []).forEach((p, i) => {
      const at = ['spec', 'rules', r, 'http', 'paths', i];
      const written = p.path === undefined || p.path === '' ? (p.pathType === 'ImplementationSpecific' ? '/' : '') : p.path;
      const normal = written === '' ? null : normalizePath(written);
      if (normal === null) {
        steps.push({
          kind: 'diagnostic',
          diagnostic: error(
            loaded,
            'EW_ROUTE_PATH_INVALID',
            [...at, 'path'],
            `path "${written}" is not a valid absolute path (it must start with "/", with no control characters or bad %-escapes); this path is not served.`,
          ),
        });
        return;
      }
      const exact = p.pathType === 'Exact';
      const path = !exact && normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
      const target = targetFor(p.backend, [...at, 'backend'], written, p.pathType);
      if (p.backend.resource !== undefined && p.backend.service === undefined) return;
      steps.push({
        kind: 'path',
        at: [...at, 'path'],
        claimKey: `${host.kind}\0${host.name}\0${exact ? 'E' : 'P'}\0${path}`,
        what: `path "${path}" (${exact ? 'Exact' : 'Prefix'}) for ${host.label}`,
        note: `at spec.rules[${r}].http.paths[${i}]`,
        host,
        path,
        written: normal,
        exact,
        target,
      });
    });
  });
  return { ranked, sslRedirect: allowsSslRedirect(loaded.object), forceSslRedirect: forcesSslRedirect(loaded.object), steps };
}

export function newTarget(ingress: string, ref: RouteTarget['backend'], path: string, pathType: RouteTarget['pathType'], policy: RoutePolicy): RouteTarget {
  return Object.freeze({ ingress, backend: ref, backendKey: ref === null ? null : backendKey(ref), path, pathType, redirectToHttps: false, policy });
}

const redirecting = new WeakMap<RouteTarget, RouteTarget>();

/** The target with the HTTPS redirect on; the same object for the same target (a pure derivation, kept weakly). */
export function withRedirect(target: RouteTarget): RouteTarget {
  let found = redirecting.get(target);
  if (found === undefined) redirecting.set(target, (found = Object.freeze({ ...target, redirectToHttps: true })));
  return found;
}

const ANY_HOST: HostKey = { kind: 'any', name: '', label: 'any host' };

/** null for a host no request could match (the validator reports the details; this only keeps routing sound). */
export function hostKey(host: string | undefined): HostKey | null {
  if (host === undefined || host === '') return ANY_HOST;
  const wildcard = host.startsWith('*.');
  const name = wildcard ? host.slice(2) : host;
  // A rule host is a bare DNS name: no port, no IP literal, no trailing dot to strip.
  if (name.includes(':') || name.endsWith('.') || name.startsWith('[')) return null;
  const key = normalizeHost(name);
  if (key === null || key === '') return null;
  return wildcard ? { kind: 'wildcard', name: key, label: `host "*.${key}"` } : { kind: 'exact', name: key, label: `host "${key}"` };
}

export function rank(loaded: LoadedObject<Ingress>): Ranked {
  const { namespace, name, creationTimestamp } = loaded.object.metadata;
  const parsed = creationTimestamp === undefined ? Number.NaN : Date.parse(creationTimestamp);
  return { loaded, id: `${namespace ?? 'default'}/${name}`, created: Number.isNaN(parsed) ? Number.POSITIVE_INFINITY : parsed };
}

/** Older first; equal ages (or both missing) by `namespace/name`, compared by code unit so the order never depends on locale. */
export function byPrecedence(a: Ranked, b: Ranked): number {
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function warning(loaded: LoadedObject<Ingress>, code: string, field: Field, message: string): Diagnostic {
  return diagnostic('warning', loaded, code, field, message);
}

function error(loaded: LoadedObject<Ingress>, code: string, field: Field, message: string): Diagnostic {
  return diagnostic('error', loaded, code, field, message);
}

function diagnostic(severity: Diagnostic['severity'], loaded: LoadedObject<Ingress>, code: string, field: Field, message: string): Diagnostic {
  return { severity, code, message, position: loaded.locate(field), object: objectRef(loaded.object), field: formatFieldPath(field) };
}
