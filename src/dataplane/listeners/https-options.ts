/**
 * The options of the HTTPS entrypoint, in one place: the TLS defaults for an edge (TLS 1.2 minimum, Node's modern
 * cipher list unless configured, session resumption by tickets and session IDs across every SNI context), ALPN with
 * `h2` then `http/1.1`, and the settings of the HTTP/2 server that h2 connections are handed to (secure-listener.ts).
 * HTTP/2 abuse hardening (rapid reset, GOAWAY policy, stream and header limits) belongs in `http2Settings` and
 * `http2ServerOptions` below, so the listener code does not change for it.
 */
import { randomBytes } from 'node:crypto';
import type { ServerOptions as Http2ServerOptions, Settings as Http2Settings } from 'node:http2';
import type { SecureContext, TlsOptions } from 'node:tls';
import type { Settings } from '../../config/settings.ts';
import type { ContextOptions } from '../../tls/sni-table.ts';
import { H2_LIMITS, h2ServerOptions } from './h2-limits.ts';
import type { TlsMaterial } from '../../tls/tls-material.ts';

/**
 * Shared by every secure context of the SNI table, so a session issued under one SNI context resumes under another.
 * OpenSSL encrypts and decrypts tickets with the keys of the context a connection starts on (the listener's, not the
 * one SNI switches to), and those come from the rotating ring (ticket-keys.ts); these ticket keys never rotate.
 */
export interface SessionKeys {
  readonly ticketKeys: Buffer;
  readonly sessionIdContext: string;
}

export function newSessionKeys(): SessionKeys {
  // 48 bytes: Node's ticket key format (name, HMAC secret, AES key). Per process: a restart invalidates tickets.
  return { ticketKeys: randomBytes(48), sessionIdContext: 'edgeway' };
}

/** Options for every secure context the SNI table makes. */
export function contextOptions(settings: Settings, keys: SessionKeys): ContextOptions {
  return {
    minVersion: settings.tls.minVersion,
    ...(settings.tls.ciphers === null ? {} : { ciphers: settings.tls.ciphers }),
    ticketKeys: keys.ticketKeys,
    sessionIdContext: keys.sessionIdContext,
  };
}

/**
 * `enableConnectProtocol: false`: edgeway does not tunnel WebSocket over HTTP/2 (RFC 8441 extended CONNECT), so it
 * must not advertise it; browsers then open WebSockets over HTTP/1.1, which the entrypoint tunnels.
 */
export function http2Settings(): Http2Settings {
  return { maxConcurrentStreams: H2_LIMITS.maxConcurrentStreams, enableConnectProtocol: false };
}

/**
 * The HTTP/2 server's options: settings and session-level limits (h2-limits.ts; the rapid-reset guard is attached per
 * session by the secure listener).
 */
export function http2ServerOptions(settings: Settings): Http2ServerOptions {
  const { maxSessionMemory, maxHeaderListPairs } = h2ServerOptions(H2_LIMITS);
  return {
    settings: http2Settings(),
    maxSendHeaderBlockLength: settings.downstream.maxHeaderBytes * 4,
    maxSessionMemory,
    maxHeaderListPairs,
  };
}

/**
 * The TLS server's options. HTTP/1.1 and HTTP/2 are served by their own servers once ALPN has chosen
 * (secure-listener.ts), so nothing HTTP is configured here.
 *
 * @param defaultCertificate the listener's own identity: Node calls SNICallback only when the client sends SNI, so
 *   clients without it get this one (the SNI table's default, decided at start).
 */
export function tlsServerOptions(
  settings: Settings,
  keys: SessionKeys,
  defaultCertificate: TlsMaterial,
  sniCallback: (servername: string, callback: (err: Error | null, context?: SecureContext) => void) => void,
): TlsOptions {
  return {
    ...contextOptions(settings, keys),
    cert: defaultCertificate.certPem,
    key: defaultCertificate.keyPem,
    SNICallback: sniCallback,
    // Node's default is 120 s: a connection that never finishes its handshake (no ClientHello, or half of one) is
    // held that long. It gets as long as a client has for its request headers.
    handshakeTimeout: settings.downstream.handshakeTimeoutMs,
    ALPNProtocols: ['h2', 'http/1.1'],
  };
}
