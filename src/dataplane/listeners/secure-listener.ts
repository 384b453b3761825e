/**
 * An HTTPS listener. Once its TLS handshake is done, each connection goes to the server for the protocol ALPN chose:
 * `h2` to a node:http2 server, `http/1.1` (or no ALPN) to a node:http server made exactly like the plain entrypoint's
 * (http-server.ts). HTTP/1.1 clients thus get node:http's own request and response objects, parser options
 * (empty-request fast path, header limits, Host required) and timeouts, as on cleartext; nothing passes through
 * node:http2's `allowHTTP1` fallback.
 *
 * Session resumption: a plain TCP server listens and reads the first record of each connection (the ClientHello) to
 * see which ticket key named the ticket the client offers (client-hello.ts); the connection then goes to the TLS
 * server holding that key, one per key of the ring (ticket-keys.ts), or to the one holding the current key when there
 * is no ticket or an unknown one. Nothing else differs between the two TLS servers. No other server listens.
 */
import type { Server as HttpServer, RequestListener } from 'node:http';
import { createServer as createHttp2Server, type Http2Server, type ServerHttp2Session } from 'node:http2';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContextOptions, type Server as TlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import type { Settings } from '../../config/settings.ts';
import type { Logger } from '../../log.ts';
import type { RejectionCounters } from '../../metrics/rejection-counters.ts';
import { guardSession, H2_LIMITS } from './h2-limits.ts';
import { createHttpServer } from './http-server.ts';
import { http2ServerOptions } from './https-options.ts';
import { firstRecordBytes, ticketKeyName } from '../../tls/client-hello.ts';
import type { TicketKeyPair, TicketKeyRing } from '../../tls/ticket-keys.ts';

/** A ClientHello larger than one record (rare) is dispatched without looking at its ticket. */
const MAX_RECORD_BYTES = 5 + 16384;

/** An HTTPS listener with what closing it and re-pointing its default identity need. */
export interface SecureListener {
  /** The server that listens; it hands each connection to one of `tls`. */
  readonly server: TcpServer;
  /** One TLS server per ticket key of the ring; `ticketKeys[i]` is the key of `tls[i]`. */
  readonly tls: readonly [TlsServer, TlsServer];
  readonly ticketKeys: [Buffer, Buffer];
  readonly ring: TicketKeyRing;
  /** Serves connections that negotiated `http/1.1` or nothing. */
  readonly http1: HttpServer;
  /** Serves connections that negotiated `h2`. */
  readonly h2: Http2Server;
  readonly sessions: Set<ServerHttp2Session>;
  /** TCP connections still being read, and TLS connections. */
  readonly sockets: Set<Socket>;
  /** Of the certificate clients without SNI get. */
  fingerprint: string;
}

/** Reads the ClientHello, then hands the connection to the TLS server holding its ticket's key. */
function onConnection(this: SecureListener, socket: Socket, handshakeTimeoutMs: number): void {
  this.sockets.add(socket);
  socket.once('close', () => this.sockets.delete(socket));
  // Until a TLS socket owns it, a reset or a stall is ours to end: a client that never sends its ClientHello is held
  // no longer than one that never finishes its handshake.
  socket.on('error', destroyQuietly);
  socket.on('timeout', destroyQuietly);
  socket.setTimeout(handshakeTimeoutMs);
  let head: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const needed = firstRecordBytes(head);
    if (needed !== null && head.length < needed && needed <= MAX_RECORD_BYTES) return;
    socket.off('data', onData);
    socket.off('error', destroyQuietly);
    socket.off('timeout', destroyQuietly);
    socket.setTimeout(0);
    socket.pause();
    const name = needed === null ? null : ticketKeyName(head);
    const keys = this.ring.keys;
    const key = name !== null && this.ring.keyNamed(name) === 'previous' ? keys.previous : keys.current;
    const server = this.ticketKeys[1].equals(key) ? this.tls[1] : this.tls[0];
    // The TLS socket feeds itself what is buffered on the TCP socket before it reads the handle.
    socket.unshift(head);
    server.emit('connection', socket);
  };
  socket.on('data', onData);
  socket.resume();
}

function destroyQuietly(this: Socket): void {
  this.destroy();
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
  ring: TicketKeyRing,
  fingerprint: string,
  logger: Logger,
  rejections: RejectionCounters | null,
): SecureListener {
  const { current, previous } = ring.keys;
  const tls: [TlsServer, TlsServer] = [createTlsServer({ ...tlsOptions, ticketKeys: current }), createTlsServer({ ...tlsOptions, ticketKeys: previous })];
  const handshakeTimeoutMs = settings.downstream.handshakeTimeoutMs;
  const server = createTcpServer({ noDelay: true, pauseOnConnect: true }, (socket) => onConnection.call(secure, socket, handshakeTimeoutMs));
  const http1 = createHttpServer(settings, logger, rejections);
  const h2 = createHttp2Server(http2ServerOptions(settings));
  const secure: SecureListener = { server, tls, ticketKeys: [current, previous], ring, http1, h2, sessions: new Set(), sockets: new Set(), fingerprint };
  const onSecure = dispatch.bind(secure);
  // Scanners and old clients fail handshakes all day long: worth a debug line, never more.
  const onTlsError = (err: NodeJS.ErrnoException, socket: TLSSocket): void => {
    logger.debug({ err: { code: err.code, message: err.message }, remote: socket.remoteAddress }, 'TLS handshake failed');
    socket.destroy();
  };
  for (const t of tls) {
    t.on('secureConnection', onSecure);
    t.on('tlsClientError', onTlsError);
  }
  // node:http starts tracking connections (header and request timeouts, closeIdleConnections) when it starts
  // listening; this one never listens itself, so it starts when the TCP server does.
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

/**
 * After the ring changed: the TLS server holding the key that is now previous keeps it, the other takes the new
 * current key (both are replaced when the pair came from outside and shares neither).
 */
export function followTicketKeys(secure: SecureListener, keys: TicketKeyPair): void {
  const keep = secure.ticketKeys[0].equals(keys.previous) ? 0 : secure.ticketKeys[1].equals(keys.previous) ? 1 : -1;
  const wanted: [Buffer, Buffer] = keep === 1 ? [keys.current, keys.previous] : keep === 0 ? [keys.previous, keys.current] : [keys.current, keys.previous];
  for (const i of [0, 1] as const) {
    if (secure.ticketKeys[i].equals(wanted[i])) continue;
    secure.tls[i].setTicketKeys(wanted[i]);
    secure.ticketKeys[i] = wanted[i];
  }
}

/** Replaces the identity clients without SNI get, on both TLS servers, each keeping its ticket key. */
export function setDefaultIdentity(secure: SecureListener, options: SecureContextOptions): void {
  for (const i of [0, 1] as const) secure.tls[i].setSecureContext({ ...options, ticketKeys: secure.ticketKeys[i] });
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
