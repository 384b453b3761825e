/**
 * Turns a request's Host header into the key the route table is indexed by, once per request.
 *
 * Choices (the README repeats them):
 * - Hosts compare case-insensitively (RFC 9110 §4.2.3), so the key is lower case.
 * - The port is never part of the key: Ingress hosts carry no port, and one listener can be reached on several
 *   ports (80, a NodePort, a LoadBalancer port). `example.com:8080` routes like `example.com`.
 * - One trailing dot is removed: `example.com.` is the same fully qualified name.
 * - `[v6]:port` keeps its brackets (`[::1]`), which no Ingress host can equal, so it reaches only host-less rules.
 * - An absent or empty Host header gives '' (HTTP/1.0, or `Host:` with an empty value): only host-less rules and
 *   default backends apply.
 * - Anything else that is not a plain DNS name (empty labels, spaces, `*`, non-ASCII, a bad port) gives null and
 *   the data plane answers 400. Underscores are accepted because real clients send them; labels may not be empty
 *   or longer than 63 characters, the name not longer than 253.
 *
 * The common case (already lower case, no port, no trailing dot) returns the header string itself: no allocation.
 */

const MAX_NAME = 253;
const MAX_LABEL = 63;

/** @returns the route-table key, '' when there is no Host, null when the Host header is invalid (answer 400). */
export function normalizeHost(hostHeader: string | undefined): string | null {
  if (hostHeader === undefined || hostHeader === '') return '';
  if (hostHeader.charCodeAt(0) === 0x5b /* [ */) return normalizeIpv6(hostHeader);

  let labelLength = 0;
  let hasUpper = false;
  let end = hostHeader.length;
  for (let i = 0; i < hostHeader.length; i++) {
    const c = hostHeader.charCodeAt(i);
    if (c === 0x2e /* . */) {
      if (labelLength === 0) return null;
      labelLength = 0;
    } else if (c === 0x3a /* : */) {
      if (!validPort(hostHeader, i + 1)) return null;
      end = i;
      break;
    } else if (isLower(c) || isDigit(c) || c === 0x2d /* - */ || c === 0x5f /* _ */) {
      if (++labelLength > MAX_LABEL) return null;
    } else if (c >= 0x41 && c <= 0x5a) {
      hasUpper = true;
      if (++labelLength > MAX_LABEL) return null;
    } else {
      return null;
    }
  }
  if (end === 0) return null;
  // The loop ended on a dot: one trailing dot is allowed (`example.com.`), but not a bare `.`.
  if (labelLength === 0) end--;
  if (end > MAX_NAME) return null;
  const name = end === hostHeader.length ? hostHeader : hostHeader.slice(0, end);
  return hasUpper ? name.toLowerCase() : name;
}

/** `[addr]` or `[addr]:port`; the address must look like an IPv6 literal (hex digits, colons, an IPv4 tail). */
function normalizeIpv6(hostHeader: string): string | null {
  const close = hostHeader.indexOf(']');
  if (close < 3) return null;
  let colons = 0;
  for (let i = 1; i < close; i++) {
    const c = hostHeader.charCodeAt(i);
    if (c === 0x3a) colons++;
    else if (!(isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) || c === 0x2e)) return null;
  }
  if (colons < 2) return null;
  if (close !== hostHeader.length - 1) {
    if (hostHeader.charCodeAt(close + 1) !== 0x3a || !validPort(hostHeader, close + 2)) return null;
  }
  return hostHeader.slice(0, close + 1).toLowerCase();
}

/** Digits up to the end, at most 65535; an empty port (`host:`) is allowed by RFC 3986. */
function validPort(s: string, from: number): boolean {
  if (s.length - from > 5) return false;
  let value = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return false;
    value = value * 10 + (c - 0x30);
  }
  return value <= 65535;
}

function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
