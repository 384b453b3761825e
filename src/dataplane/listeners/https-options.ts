/**
 * The options of the HTTPS entrypoint, in one place: the TLS defaults for an edge (TLS 1.2 minimum, Node's modern
 * cipher list unless configured, session resumption by session IDs across every SNI context), ALPN with
 * `h2` then `http/1.1`, and the settings of the HTTP/2 server that h2 connections are handed to (secure-listener.ts).
 * HTTP/2 abuse hardening (rapid reset, GOAWAY policy, stream and header limits) belongs in `http2Settings` and
 * `http2ServerOptions` below, so the listener code does not change for it.
 */
import type { ServerOptions as Http2ServerOptions, Settings as Http2Settings } from 'node:http2';
import type { SecureContext, TlsOptions } from 'node:tls';
import type { Settings } from '../../config/settings.ts';
import type { ContextOptions } from '../../tls/sni-table.ts';
import { H2_LIMITS, h2ServerOptions } from './h2-limits.ts';
import type { TlsMaterial } from '../../tls/tls-material.ts';

/**
 * Every secure context (the listener's and the SNI table's) names the same session ID context, so a TLS 1.2 session
 * cached under one resumes under another. Session tickets need nothing here: OpenSSL encrypts and decrypts them with
 * the keys of the context a connection starts on (the listener's, which come from the rotating ring,
 * ticket-keys.ts), not those of the context SNI switches to.
 */
export const SESSION_ID_CONTEXT = 'edgeway';

/** Options for every secure context the SNI table makes. */
export function contextOptions(settings: Settings): ContextOptions {
  return {
    minVersion: settings.tls.minVersion,
    ...(settings.tls.ciphers === null ? {} : { ciphers: settings.tls.ciphers }),
    sessionIdContext: SESSION_ID_CONTEXT,
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
  defaultCertificate: TlsMaterial,
  sniCallback: (servername: string, callback: (err: Error | null, context?: SecureContext) => void) => void,
): TlsOptions {
  return {
    ...contextOptions(settings),
    cert: defaultCertificate.certPem,
    key: defaultCertificate.keyPem,
    SNICallback: sniCallback,
    // Node's default is 120 s: a connection that never finishes its handshake (no ClientHello, or half of one) is
    // held that long. It gets as long as a client has for its request headers.
    handshakeTimeout: settings.downstream.handshakeTimeoutMs,
    ALPNProtocols: ['h2', 'http/1.1'],
  };
}
