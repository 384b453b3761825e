/**
 * Puts a request path (without the query string) into the one canonical form that routing matches and the backend
 * receives, so that no spelling of a path can reach a backend that the matching rule did not choose.
 *
 * Choices (the README repeats them):
 * - Percent-escapes of unreserved characters are decoded (`%41` → `A`, `%2e` → `.`, RFC 3986 §6.2.2.2) before dot
 *   segments are resolved, so `/a/%2e%2e/b` is `/b`.
 * - Every other escape stays encoded with upper-case hex (`%2f` → `%2F`). In particular `%2F` is never a separator:
 *   `/a%2Fb` is one segment and does not match Prefix `/a/b`.
 * - `.` and `..` segments are resolved (RFC 3986 §5.2.4); `..` never climbs above the root.
 * - Repeated slashes are merged (`//` → `/`), like nginx's merge_slashes.
 * - Characters that may not appear literally in a path (space, `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`,
 *   `[`, `]`, `#`, `?`) are percent-encoded; `\` is a literal character (`%5C`), never a separator.
 * - Bytes 0x80–0xFF (Node hands the request target over as latin1, one char per byte) are percent-encoded as they
 *   are; characters above 0xFF cannot come off the wire and are rejected.
 * - Control characters (0x00–0x1F, 0x7F), raw or escaped, invalid escapes (`%`, `%G1`) and paths that do not start
 *   with `/` (including `*`, `OPTIONS *`) give null: the data plane answers 400.
 * - A trailing slash is kept: `/foo/` and `/foo` differ for Exact rules.
 *
 * The function is idempotent, and a path already in canonical form is returned as is (no allocation).
 */

const HEX = '0123456789ABCDEF';

/** @returns the canonical path, or null when the path is invalid (answer 400). */
export function normalizePath(rawPathWithoutQuery: string): string | null {
  if (rawPathWithoutQuery.charCodeAt(0) !== 0x2f /* / */) return null;
  return isCanonical(rawPathWithoutQuery) ? rawPathWithoutQuery : rewrite(rawPathWithoutQuery);
}

/** The fast path: only literal path characters, no escapes, no `//`, no `.` or `..` segment. */
function isCanonical(path: string): boolean {
  let previous = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x2f) {
      if (previous === 0x2f) return false;
    } else if (c === 0x2e) {
      if (previous === 0x2f && isDotSegment(path, i)) return false;
    } else if (c > 0x7f || LITERAL[c] !== 1) {
      return false;
    }
    previous = c;
  }
  return true;
}

/** Whether the segment starting at `at` (a dot) is `.` or `..`. */
function isDotSegment(path: string, at: number): boolean {
  let end = at + 1;
  if (path.charCodeAt(end) === 0x2e) end++;
  return end === path.length || path.charCodeAt(end) === 0x2f;
}

function rewrite(path: string): string | null {
  const segments: string[] = [];
  let segment = '';
  let trailingSlash = false;
  for (let i = 1; i <= path.length; i++) {
    const c = i === path.length ? 0x2f : path.charCodeAt(i);
    if (c === 0x2f) {
      const last = i === path.length;
      if (segment === '' || segment === '.') {
        trailingSlash = last;
      } else if (segment === '..') {
        segments.pop();
        trailingSlash = last;
      } else {
        segments.push(segment);
        trailingSlash = false;
      }
      segment = '';
    } else if (c === 0x25 /* % */) {
      const byte = hexByte(path, i + 1);
      if (byte < 0 || isControl(byte)) return null;
      segment += UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : percentEncode(byte);
      i += 2;
    } else if (isControl(c) || c > 0xff) {
      return null;
    } else {
      segment += c <= 0x7f && LITERAL[c] === 1 ? String.fromCharCode(c) : percentEncode(c);
    }
  }
  if (segments.length === 0) return '/';
  const joined = '/' + segments.join('/');
  return trailingSlash ? joined + '/' : joined;
}

/** The byte of the two hex digits at `at`, or -1. */
function hexByte(s: string, at: number): number {
  const high = hexValue(s.charCodeAt(at));
  const low = hexValue(s.charCodeAt(at + 1));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function percentEncode(byte: number): string {
  return '%' + HEX.charAt(byte >> 4) + HEX.charAt(byte & 15);
}

function isControl(c: number): boolean {
  return c < 0x20 || c === 0x7f;
}

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** RFC 3986 unreserved: decoded when escaped. */
const UNRESERVED = table(ALNUM + '-._~');
/** RFC 3986 pchar without escapes, plus `/`: left as they are. */
const LITERAL = table(ALNUM + "-._~!$&'()*+,;=:@/");
