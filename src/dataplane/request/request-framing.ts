/**
 * Front-door checks on a parsed request head that Node's parser (llhttp) lets through, run before anything reaches
 * a backend. llhttp already rejects Content-Length with Transfer-Encoding, duplicate or malformed Content-Length,
 * several Transfer-Encoding lines, `chunked` not last, obs-fold, bare CR/LF and bad tokens (test/frontdoor-corpus
 * pins each). What it accepts and edgeway refuses:
 *   - more header lines than allowed: Node would silently drop those beyond maxHeadersCount; edgeway answers 431;
 *   - Transfer-Encoding other than exactly `chunked` (`gzip, chunked`, `identity`, `xchunked`), or any
 *     Transfer-Encoding on an HTTP/1.0 request (RFC 9112 §6.1): a backend may frame such a body differently;
 *   - several Host lines (Node keeps the first, a backend may keep the last).
 * Pure over the raw header list, so it is tested as a table.
 */
import type { Code } from '../../errors.ts';

export function framingProblem(raw: readonly string[], httpVersionMinor: number, maxHeadersCount: number): Code | null {
  if (raw.length > maxHeadersCount * 2) return 'EDGEWAY_HEADERS_TOO_MANY';
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // Compare lengths first: most headers are neither, and this avoids a toLowerCase per header.
    if (name.length === 4) {
      if (name.toLowerCase() === 'host') hosts++;
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      const value = raw[i + 1]!;
      if (httpVersionMinor === 0 || value.length !== 7 || value.toLowerCase() !== 'chunked') return 'EDGEWAY_FRAMING_AMBIGUOUS';
    }
  }
  return hosts > 1 ? 'EDGEWAY_HOST_AMBIGUOUS' : null;
}
