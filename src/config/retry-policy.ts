/**
 * The retry policy as a value: how many retries, on which failures, with which per-try timeout. Written in the
 * settings (the default for every route) and per Ingress by annotation (`edgeway.io/retry-on`, ingress-nginx's
 * `proxy-next-upstream`); both go through the parsers here, so the two spellings mean the same thing.
 */

export interface RetryOn {
  /** Connecting failed: refused, unreachable, connect timeout. The request never left edgeway. */
  readonly connectFailure: boolean;
  /** The connection was closed or reset before any response byte (the keep-alive race is one case). */
  readonly reset: boolean;
  /** The per-try or read timeout fired before the response headers. */
  readonly timeout: boolean;
  /** Upstream response statuses that are retried (idempotent, bodyless requests only). */
  readonly statuses: readonly number[];
}

export interface RetryPolicy {
  /** Retries after the first try (Envoy's num_retries); 0 turns retries off. */
  readonly retries: number;
  readonly on: RetryOn;
  /** Time allowed for one try until the response headers; 0 = only the read timeout applies. */
  readonly perTryTimeoutMs: number;
  /** No retry starts later than this after the request arrived (nginx's proxy_next_upstream_timeout); 0 = no limit. */
  readonly totalTimeoutMs: number;
}

export const RETRY_STATUSES: readonly number[] = [500, 502, 503, 504];

/** The words `retry-on` accepts, as written in the README. */
export const RETRY_ON_WORDS = ['connect-failure', 'reset', 'timeout', '500', '502', '503', '504', '5xx', 'gateway-error'] as const;

/** `connect-failure,reset,502` → RetryOn, or the first word it does not know. */
export function parseRetryOn(text: string): RetryOn | { readonly unknown: string } {
  let connectFailure = false;
  let reset = false;
  let timeout = false;
  const statuses = new Set<number>();
  for (const part of text.split(',')) {
    const word = part.trim().toLowerCase();
    switch (word) {
      case '':
        break;
      case 'connect-failure':
        connectFailure = true;
        break;
      case 'reset':
        reset = true;
        break;
      case 'timeout':
        timeout = true;
        break;
      case '5xx':
        for (const s of RETRY_STATUSES) statuses.add(s);
        break;
      case 'gateway-error':
        statuses.add(502).add(503).add(504);
        break;
      default: {
        const status = Number(word);
        if (!RETRY_STATUSES.includes(status)) return { unknown: part.trim() };
        statuses.add(status);
      }
    }
  }
  return { connectFailure, reset, timeout, statuses: [...statuses].sort() };
}

/**
 * ingress-nginx's `proxy-next-upstream` (`error timeout http_502`, space separated) → RetryOn. `error` is a connect
 * failure or a reset; `off` retries nothing. Words with no counterpart (`invalid_header`, `http_403`, `http_404`,
 * `http_429`, `non_idempotent`) are returned in `ignored` for a warning: 5xx retries stay idempotent-only.
 */
export function parseNextUpstream(text: string): { readonly on: RetryOn; readonly ignored: readonly string[] } {
  let connectFailure = false;
  let reset = false;
  let timeout = false;
  const statuses = new Set<number>();
  const ignored: string[] = [];
  for (const word of text.trim().split(/\s+/)) {
    if (word === '') continue;
    if (word === 'off') return { on: { connectFailure: false, reset: false, timeout: false, statuses: [] }, ignored };
    if (word === 'error') {
      connectFailure = true;
      reset = true;
    } else if (word === 'timeout') timeout = true;
    else if (word.startsWith('http_') && RETRY_STATUSES.includes(Number(word.slice(5)))) statuses.add(Number(word.slice(5)));
    else ignored.push(word);
  }
  return { on: { connectFailure, reset, timeout, statuses: [...statuses].sort() }, ignored };
}

/**
 * A size as nginx writes it (`8m`, `1g`, `512k`, `1024`), in bytes; `0` means no limit (returned as 0). undefined when
 * malformed.
 */
export function parseSize(text: string): number | undefined {
  const m = /^\s*([0-9]+)\s*([kKmMgG]?)\s*$/.exec(text);
  if (m === null) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  const bytes = Number(m[1]) * factor;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
