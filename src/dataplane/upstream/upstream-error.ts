/**
 * Maps an upstream failure (undici and socket error codes) to edgeway's request failure codes: refused or reset
 * before a response is a 502, any timeout a 504,
 * a failed TLS handshake with the endpoint a 502 of its own code.
 */
import type { Code } from '../../errors.ts';

const BY_ERROR_CODE: Readonly<Record<string, Code>> = {
  ECONNREFUSED: 'EDGEWAY_UPSTREAM_CONNECT',
  EHOSTUNREACH: 'EDGEWAY_UPSTREAM_CONNECT',
  ENETUNREACH: 'EDGEWAY_UPSTREAM_CONNECT',
  EADDRNOTAVAIL: 'EDGEWAY_UPSTREAM_CONNECT',
  EDGEWAY_DNS_FAILED: 'EDGEWAY_DNS_FAILED',
  EDGEWAY_UPSTREAM_SEND_TIMEOUT: 'EDGEWAY_UPSTREAM_SEND_TIMEOUT',
  UND_ERR_CONNECT_TIMEOUT: 'EDGEWAY_UPSTREAM_TIMEOUT',
  UND_ERR_HEADERS_TIMEOUT: 'EDGEWAY_UPSTREAM_TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'EDGEWAY_UPSTREAM_TIMEOUT',
  ETIMEDOUT: 'EDGEWAY_UPSTREAM_TIMEOUT',
  ECONNRESET: 'EDGEWAY_UPSTREAM_RESET',
  EPIPE: 'EDGEWAY_UPSTREAM_RESET',
  UND_ERR_SOCKET: 'EDGEWAY_UPSTREAM_RESET',
  UND_ERR_CLOSED: 'EDGEWAY_UPSTREAM_RESET',
  UND_ERR_DESTROYED: 'EDGEWAY_UPSTREAM_RESET',
  UND_ERR_INFO: 'EDGEWAY_UPSTREAM_PROTOCOL',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'EDGEWAY_UPSTREAM_PROTOCOL',
};

/** OpenSSL verification codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED…) and Node's ERR_TLS_* / ERR_SSL_*. */
const TLS_ERROR = /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

export function upstreamErrorCode(err: unknown): Code {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const mapped = BY_ERROR_CODE[code];
    if (mapped !== undefined) return mapped;
    if (code.startsWith('HPE_')) return 'EDGEWAY_UPSTREAM_PROTOCOL';
    if (TLS_ERROR.test(code)) return 'EDGEWAY_UPSTREAM_TLS';
  }
  return 'EDGEWAY_UPSTREAM_RESET';
}
