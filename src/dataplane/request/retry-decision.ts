/**
 * Whether a failed try may be sent again: pure functions over what the exchange knows, tested as tables.
 *
 * The rule that keeps retries safe: a request that never left edgeway (connect failure, or the pool failed it
 * before writing) may be retried whatever its method and body. Once written, only idempotent requests without a body
 * are retried (a reset, a timeout, a retryable 5xx): a POST may have run, and a streamed body cannot be replayed
 * (undici has consumed it and edgeway never buffers bodies).
 */
import type { RetryOn } from '../../config/retry-policy.ts';

export type FailureKind = 'connect-failure' | 'reset' | 'timeout' | 'other';

const KINDS: Readonly<Record<string, FailureKind>> = {
  ECONNREFUSED: 'connect-failure',
  EHOSTUNREACH: 'connect-failure',
  ENETUNREACH: 'connect-failure',
  EADDRNOTAVAIL: 'connect-failure',
  UND_ERR_CONNECT_TIMEOUT: 'connect-failure',
  UND_ERR_SOCKET: 'reset',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_CLOSED: 'reset',
  UND_ERR_DESTROYED: 'reset',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
};

export function failureKind(err: unknown): FailureKind {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? (KINDS[code] ?? 'other') : 'other';
}

/** RFC 9110 §9.2.2. */
export function isIdempotent(method: string | undefined): boolean {
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
    case 'TRACE':
    case 'PUT':
    case 'DELETE':
      return true;
    default:
      return false;
  }
}

/**
 * @param written whether undici had put the request on a connection (onRequestStart), i.e. it may have reached the
 *   backend.
 */
export function mayRetryError(on: RetryOn, kind: FailureKind, written: boolean, idempotent: boolean, hasBody: boolean): boolean {
  if (!written) return on.connectFailure && kind !== 'other';
  if (!idempotent || hasBody) return false;
  return kind === 'reset' ? on.reset : kind === 'timeout' ? on.timeout : false;
}

export function mayRetryStatus(on: RetryOn, status: number, idempotent: boolean, hasBody: boolean): boolean {
  return idempotent && !hasBody && on.statuses.length !== 0 && on.statuses.includes(status);
}
