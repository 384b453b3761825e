/**
 * Which routes redirect plain HTTP to HTTPS, decided once at compile time so the data plane reads one flag. A rule
 * redirects when its host is a TLS host of some served Ingress (listed in a `spec.tls[].hosts`, exactly or through a
 * `*.example.com` entry covering one label), the HTTPS entrypoint is on, and its own Ingress does not opt out with
 * `edgeway.io/ssl-redirect: "false"` (or ingress-nginx's `nginx.ingress.kubernetes.io/ssl-redirect: "false"`).
 * Rules without a host and default backends never redirect: no host, no certificate to send the client to. An
 * Ingress with `nginx.ingress.kubernetes.io/force-ssl-redirect: "true"` redirects all its paths (hosts or not).
 */
import type { Ingress } from '../k8s/types.ts';
import { normalizeServerName, parentDomain, wildcardSuffix } from '../tls/server-name.ts';

export const SSL_REDIRECT = 'edgeway.io/ssl-redirect';
export const NGINX_SSL_REDIRECT = 'nginx.ingress.kubernetes.io/ssl-redirect';
export const NGINX_FORCE_SSL_REDIRECT = 'nginx.ingress.kubernetes.io/force-ssl-redirect';

export interface TlsHosts {
  readonly exact: ReadonlySet<string>;
  /** Suffixes of `*.suffix` entries. */
  readonly wildcard: ReadonlySet<string>;
}

export function tlsHostsOf(ingresses: readonly Ingress[]): TlsHosts {
  const exact = new Set<string>();
  const wildcard = new Set<string>();
  for (const ingress of ingresses) {
    for (const tls of ingress.spec.tls ?? []) {
      for (const host of tls.hosts ?? []) {
        const name = normalizeServerName(host);
        const suffix = wildcardSuffix(name);
        if (suffix === undefined) exact.add(name);
        else wildcard.add(suffix);
      }
    }
  }
  return { exact, wildcard };
}

/** Whether the Ingress lets its rules redirect (the annotations default to true). */
export function allowsSslRedirect(ingress: Ingress): boolean {
  const a = ingress.metadata.annotations;
  const value = a?.[SSL_REDIRECT] ?? a?.[NGINX_SSL_REDIRECT];
  return value === undefined || value.trim().toLowerCase() !== 'false';
}

/**
 * ingress-nginx's `force-ssl-redirect: "true"`: redirect even where the Ingress has no TLS section (TLS may end in
 * front of edgeway, or another Ingress holds the certificate), and even with `ssl-redirect: "false"`.
 */
export function forcesSslRedirect(ingress: Ingress): boolean {
  return ingress.metadata.annotations?.[NGINX_FORCE_SSL_REDIRECT]?.trim().toLowerCase() === 'true';
}

/**
 * @param kind and @param name as the route compiler keys hosts: an exact host, or the suffix of a wildcard rule host.
 */
export function hostHasTls(hosts: TlsHosts, kind: 'exact' | 'wildcard' | 'any', name: string): boolean {
  if (kind === 'any') return false;
  if (kind === 'wildcard') return hosts.wildcard.has(name);
  if (hosts.exact.has(name)) return true;
  const parent = parentDomain(name);
  return parent !== undefined && hosts.wildcard.has(parent);
}
