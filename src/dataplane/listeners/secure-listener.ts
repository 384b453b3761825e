/**
 * An HTTPS listener: a TLS server whose connections, once the handshake is done, go to the server for the protocol
 * ALPN chose: `h2` to a node:http2 server, `http/1.1` (or no ALPN) to a node:http server made exactly like the plain
 * entrypoint's (http-server.ts). HTTP/1.1 clients thus get node:http's own request and response objects, parser
 * options (empty-request fast path, header limits, Host required) and timeouts, as on cleartext; nothing passes
 * through node:http2's `allowHTTP1` fallback. Only the TLS server listens; the other two are handed sockets.
 */
import type { Server as HttpServer, RequestListener } from 'node:http';
import { createServer as createHttp2Server, type Http2Server, type ServerHttp2Session } from 'node:http2';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import type { Settings } from '../../config/settings.ts';
import type { Logger } from '../../log.ts';
import type { RejectionCounters } from '../../metrics/rejection-counters.ts';
import { guardSession, H2_LIMITS } from './h2-limits.ts';
import { createHttpServer } from './http-server.ts';
import { http2ServerOptions } from './https-options.ts';

/** An HTTPS listener with what closing it and re-pointing its default identity need. */
export interface SecureListener {
  /** The server that listens; its `setSecureContext` changes the identity of clients without SNI. */
  readonly server: TlsServer;
  /** Serves connections that negotiated `http/1.1` or nothing. */
  readonly http1: HttpServer;
  /** Serves connections that negotiated `h2`. */
  readonly h2: Http2Server;
  readonly sessions: Set<ServerHttp2Session>;
  readonly sockets: Set<TLSSocket>;
  /** Of the certificate clients without SNI get. */
  fingerprint: string;
}

/** A socket's ALPN result decides its server; `this` is the listener (one shared function, no closure). */
function dispatch(this: SecureListener, socket: TLSSocket): void {
  this.sockets.add(socket);
  socket.once('close', () => this.sockets.delete(socket));
  if (socket.alpnProtocol === 'h2') this.h2.emit('connection', socket);
  else this.http1.emit('connection', socket);
}

export function createSecureListener(
  settings: Settings,
  tlsOptions: TlsOptions,
  fingerprint: string,
  logger: Logger,
  rejections: RejectionCounters | null,
): SecureListener {
  const server = createTlsServer(tlsOptions);
  const http1 = createHttpServer(settings, logger, rejections);
  const h2 = createHttp2Server(http2ServerOptions(settings));
  const secure: SecureListener = { server, http1, h2, sessions: new Set(), sockets: new Set(), fingerprint };
  server.on('secureConnection', dispatch.bind(secure));
  // Scanners and old clients fail handshakes all day long: worth a debug line, never more.
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    logger.debug({ err: { code: err.code, message: err.message }, remote: socket.remoteAddress }, 'TLS handshake failed');
    socket.destroy();
  });
  // node:http starts tracking connections (header and request timeouts, closeIdleConnections) when it starts
  // listening; this one never listens itself, so it starts when the TLS server does.
  server.once('listening', () => http1.emit('listening'));
  h2.on('sessionError', (err: NodeJS.ErrnoException) => logger.debug({ err: { code: err.code, message: err.message } }, 'HTTP/2 session error'));
  h2.on('session', (session: ServerHttp2Session) => {
    guardSession(session, H2_LIMITS);
    secure.sessions.add(session);
    session.once('close', () => secure.sessions.delete(session));
  });
  // Idle HTTP/2 sessions close after the downstream keep-alive time.
  h2.setTimeout(settings.downstream.keepAliveTimeoutMs);
  return secure;
}

/** The same handler serves both protocols (node:http2's compatibility API for h2, node:http's objects for HTTP/1.1). */
export function onSecureRequest(secure: SecureListener, handler: RequestListener): void {
  secure.http1.on('request', handler);
  secure.h2.on('request', handler as unknown as (req: unknown, res: unknown) => void);
}

/**
 * Stops accepting: idle HTTP/1.1 connections close now, busy ones after their response; HTTP/2 sessions get GOAWAY
 * and finish their open streams. Resolves when every connection is gone.
 */
export function closeSecureListener(secure: SecureListener): Promise<void> {
  const closed = new Promise<void>((resolve) => secure.server.close(() => resolve()));
  // Stops the connection checks and closes idle connections; the server never listened, so there is nothing else.
  secure.http1.close();
  for (const session of secure.sessions) session.close();
  return closed;
}

/** Cuts every connection, whatever its protocol. */
export function destroySecureListener(secure: SecureListener): void {
  for (const socket of secure.sockets) socket.destroy();
}
