/**
 * Where a request goes, written once for plain requests (http-entrypoint.ts) and upgrades (upgrade-proxy.ts), so
 * the two cannot drift apart: HTTP/1 framing checks, the host (Host, else HTTP/2's `:authority`), absolute-form
 * targets, path normalisation, the route (or a Service listener's fixed target), the https redirect, the canary
 * split, the backend (ExternalName included), then the client peer and the balancer's pick.
 *
 * Resolution and pick are two steps because the entrypoint checks the backend's circuit limits between them: a
 * refused request must not move a balancer's cursor. Both fill in the request's record (request-record.ts) and
 * allocate nothing else; failures are codes the caller answers in its own way (a response, or a raw refusal on an
 * upgrade's socket).
 */
import type { Code } from '../../errors.ts';
import { choosesCanary } from '../../routing/canary.ts';
import { normalizeHost } from '../../routing/normalize-host.ts';
import { normalizePath } from '../../routing/normalize-path.ts';
import type { RouteTarget } from '../../routing/route-table.ts';
import type { BoundSnapshot } from '../bound-snapshot.ts';
import type { Member, UpstreamSet } from '../upstream/upstream-set.ts';
import { clientPeer } from './client-peer.ts';
import type { RequestRecord } from './request-record.ts';
import { framingProblem } from './request-framing.ts';
import type { TrustedProxies } from './trusted-proxies.ts';

/** A code to answer with, `redirect` (308 to https: the record has host, raw path and query), or null: routed. */
export type Resolution = Code | 'redirect' | null;

const ACME_CHALLENGE = '/.well-known/acme-challenge/';

/**
 * Routes the record's request on `bound`. On null, `rec.target` and `rec.backend` are set.
 *
 * @param fixed a Service listener's target (every request goes there), or null to match the Ingress routes.
 * @param redirects whether routes flagged `redirectToHttps` redirect here (the plain-HTTP entrypoint); ACME HTTP-01
 *   challenges never do, they must stay reachable over plain HTTP.
 */
export function resolveRequest(rec: RequestRecord, bound: BoundSnapshot, fixed: RouteTarget | null, redirects: boolean): Resolution {
  const req = rec.req;
  // HTTP/1 framing and Host checks (HTTP/2 frames its own messages, and its pseudo-headers are no Host lines).
  if (req.httpVersionMajor === 1) {
    const framing = framingProblem(req.rawHeaders, req.httpVersionMinor, bound.snapshot.settings.downstream.maxHeadersCount);
    if (framing !== null) return framing;
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  let rawPath = q === -1 ? url : url.slice(0, q);
  rec.query = q === -1 ? '' : url.slice(q);
  rec.path = rawPath;
  const host = normalizeHost(req.headers.host ?? (req.headers[':authority'] as string | undefined));
  if (rawPath.charCodeAt(0) !== 47 /* / */) {
    // Absolute-form (`GET http://host/path`): route on its path. Its authority must name the same host as the
    // Host header (RFC 9112 §3.2.2 lets the target win; a backend reading Host would then see another host).
    const absolute = absoluteTarget(rawPath);
    if (absolute === null) return 'EDGEWAY_BAD_REQUEST';
    if (host === null || normalizeHost(absolute.host) !== host) return 'EDGEWAY_HOST_AMBIGUOUS';
    rawPath = absolute.pathname;
    rec.path = rawPath;
  }
  rec.rawPath = rawPath;
  const path = normalizePath(rawPath);
  if (path === null || host === null) return 'EDGEWAY_BAD_REQUEST';
  rec.path = path;
  rec.host = host;

  const target = fixed ?? bound.snapshot.routes.match(host, path);
  if (target === null) return 'EDGEWAY_NO_ROUTE';
  rec.target = target;
  rec.ingress = target.ingress;
  if (redirects && target.redirectToHttps && !path.startsWith(ACME_CHALLENGE)) return 'redirect';
  // A canary split applies to upgrades as to requests (header, cookie, then weight), chosen once per request.
  const backendKey = target.canary === undefined || !choosesCanary(target.canary, req.headers) ? target.backendKey : target.canary.backendKey;
  const backend = backendKey === null ? undefined : bound.backends.get(backendKey);
  if (backend === undefined) return 'EDGEWAY_BACKEND_UNAVAILABLE';
  const resolution = backend.backend.resolution;
  if (resolution.kind === 'unavailable') return 'EDGEWAY_BACKEND_UNAVAILABLE';
  rec.backend = backend;
  rec.forwardProxyAuthorization = bound.snapshot.settings.forwardProxyAuthorization;
  if (resolution.kind === 'externalName') rec.hostOverride = externalHost(resolution.host, resolution.port);
  return null;
}

/**
 * Works out the client peer (forwarding headers and balancers need it), then picks an endpoint of `backend` (the
 * resolved `rec.backend`). Null when it has none available, and always for an ExternalName backend, which has no
 * endpoints to pick: its target is resolved by DNS.
 */
export function pickEndpoint(rec: RequestRecord, backend: UpstreamSet, trusted: TrustedProxies): Member | null {
  const peer = clientPeer(rec.req, trusted);
  rec.clientIp = peer.ip;
  rec.trusted = peer.trusted;
  return rec.hostOverride === undefined ? backend.pick(rec) : null;
}

/** The Host an ExternalName target expects: its own name, not the one the client used. */
function externalHost(host: string, port: number): string {
  return port === 80 ? host : `${host}:${port}`;
}

/** The path and authority of an absolute-form target, or null when it is not an http(s) URL. */
export function absoluteTarget(target: string): { readonly host: string; readonly pathname: string } | null {
  if (!/^https?:\/\//i.test(target)) return null;
  try {
    const url = new URL(target);
    return { host: url.host, pathname: url.pathname };
  } catch {
    return null;
  }
}
