/**
 * Builds the header list sent upstream from the client's raw headers: hop-by-hop headers removed, X-Forwarded-* and
 * X-Request-Id set. Incoming X-Forwarded-*, Forwarded and X-Request-Id are kept only from trusted proxies; from
 * anyone else they are dropped and replaced, so a client cannot spoof its address or scheme.
 *
 * Works on Node's flat `rawHeaders` array and returns a flat array undici sends as is: no header objects are built.
 *
 * HTTP/2 requests (HTTPS entrypoint) go upstream as HTTP/1.1: pseudo-headers (`:method`, `:path`, `:scheme`,
 * `:authority`) are dropped, `:authority` becomes Host when the client sent no Host, and the several Cookie fields
 * HTTP/2 allows are joined into one with "; " (RFC 9113 §8.2.3).
 *
 * A client's `Connection` list makes the headers it names hop-by-hop, except those routing depends on or edgeway
 * writes itself: `Connection: Host` must not strip the Host the route was matched on (the backend would get the
 * endpoint's address instead), and X-Forwarded-* and X-Request-Id cannot be removed that way either.
 */
import { connectionTokens, isHopByHop } from './hop-by-hop.ts';

export interface ForwardContext {
  readonly clientIp: string;
  readonly trusted: boolean;
  /** `http` or `https`: the scheme the client used to reach edgeway. */
  readonly proto: string;
  /** The entrypoint's port, as a string. */
  readonly port: string;
  readonly forwardProxyAuthorization: boolean;
  /** Replaces Host (ExternalName backends); undefined keeps the client's. */
  readonly hostOverride: string | undefined;
}

export interface ForwardedHeaders {
  readonly headers: string[];
  readonly requestId: string;
}

/** Never removed by a client's Connection list. */
const PROTECTED: readonly string[] = ['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-request-id'];

export function forwardHeaders(raw: readonly string[], ctx: ForwardContext, newRequestId: () => string): ForwardedHeaders {
  const out: string[] = [];
  let named: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toLowerCase() === 'connection') {
      named = connectionTokens(raw[i + 1]);
      if (named !== null) for (const name of PROTECTED) named.delete(name);
      break;
    }
  }
  let host: string | undefined;
  let authority: string | undefined;
  let cookieAt = -1;
  let xff: string | undefined;
  let requestId: string | undefined;
  let sawProto = false;
  let sawFwdHost = false;
  let sawFwdPort = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (name.charCodeAt(0) === 58 /* : */) {
      if (name === ':authority') authority = value;
      continue;
    }
    const lower = name.toLowerCase();
    if (isHopByHop(lower) || named?.has(lower)) continue;
    switch (lower) {
      case 'host':
        host ??= value;
        if (ctx.hostOverride !== undefined) continue;
        break;
      case 'expect':
        continue;
      case 'cookie':
        if (cookieAt !== -1) {
          out[cookieAt] += `; ${value}`;
          continue;
        }
        cookieAt = out.length + 1;
        break;
      case 'proxy-authorization':
        if (!ctx.forwardProxyAuthorization) continue;
        break;
      case 'x-forwarded-for':
        if (ctx.trusted) xff = xff === undefined ? value : `${xff}, ${value}`;
        continue;
      case 'x-request-id':
        if (ctx.trusted && requestId === undefined && value !== '') requestId = value;
        continue;
      case 'x-forwarded-proto':
        if (!ctx.trusted) continue;
        sawProto = true;
        break;
      case 'x-forwarded-host':
        if (!ctx.trusted) continue;
        sawFwdHost = true;
        break;
      case 'x-forwarded-port':
        if (!ctx.trusted) continue;
        sawFwdPort = true;
        break;
      case 'forwarded':
      case 'x-real-ip':
        if (!ctx.trusted) continue;
        break;
    }
    out.push(name, value);
  }
  if (ctx.hostOverride !== undefined) out.push('host', ctx.hostOverride);
  else if (host === undefined && authority !== undefined) out.push('host', authority);
  host ??= authority;
  requestId ??= newRequestId();
  out.push('x-forwarded-for', xff === undefined ? ctx.clientIp : `${xff}, ${ctx.clientIp}`);
  if (!sawProto) out.push('x-forwarded-proto', ctx.proto);
  if (!sawFwdHost && host !== undefined) out.push('x-forwarded-host', host);
  if (!sawFwdPort) out.push('x-forwarded-port', ctx.port);
  out.push('x-request-id', requestId);
  return { headers: out, requestId };
}
