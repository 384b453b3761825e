/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded, in either direction.
 * Besides the fixed list, every header named in `Connection` is hop-by-hop too.
 */

/** Lower-case names that are always hop-by-hop. `expect` is answered by edgeway itself (100-continue). */
const ALWAYS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

export function isHopByHop(lowerName: string): boolean {
  return ALWAYS.has(lowerName);
}

/** Names listed in a Connection header value (`close, X-Foo` → {'close','x-foo'}), or null when there is none. */
export function connectionTokens(value: string | string[] | undefined): Set<string> | null {
  if (value === undefined) return null;
  // Nearly every backend says just `keep-alive` (or `close`): answer that without splitting.
  if (typeof value === 'string' && value.length <= 10) {
    const lower = value.toLowerCase();
    if (lower === 'keep-alive' || lower === 'close') return null;
  }
  const text = Array.isArray(value) ? value.join(',') : value;
  let tokens: Set<string> | null = null;
  for (const part of text.split(',')) {
    const token = part.trim().toLowerCase();
    if (token === '' || token === 'close' || token === 'keep-alive') continue;
    (tokens ??= new Set()).add(token);
  }
  return tokens;
}

/**
 * The response header fields to send downstream, as the flat `[name, value, ...]` list `writeHead` takes: every field
 * of undici's parsed header object except the hop-by-hop ones. Copying into a list, rather than deleting from the
 * object, keeps the object in V8's fast mode (a delete turns it into a dictionary) and hands Node's header writer
 * the array it walks fastest. Names arrive lower-cased from undici.
 */
export function endToEndResponseHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): (string | string[])[] {
  const named = connectionTokens(headers.connection);
  const out: (string | string[])[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || ALWAYS.has(name) || named?.has(name)) continue;
    out.push(name, value);
  }
  return out;
}
