/**
 * The data plane's TLS identity: the generated default certificate, the session keys every secure context shares,
 * the SNI callback, and every HTTPS server made with them (the HTTPS entrypoint and entrypoint Services' HTTPS
 * ports). It is kept apart from the listeners' sockets because binding a snapshot needs it too (the SNI table's
 * contexts are made with these options), and a reload must re-point each server's default identity without
 * rebinding anything.
 *
 * The SNI callback reads the current bound snapshot's table on every handshake, so a reload's certificates apply to
 * the next handshake while open connections keep theirs.
 */
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { Settings } from '../../config/settings.ts';
import type { Snapshot } from '../../snapshot/snapshot.ts';
import type { TlsMaterial } from '../../tls/tls-material.ts';
import type { BoundSnapshot, TlsBinding } from '../bound-snapshot.ts';
import type { EntrypointRuntime } from '../request/http-entrypoint.ts';
import { answerClientError } from './client-error.ts';
import { guardSession, H2_LIMITS } from './h2-limits.ts';
import { CONNECTIONS_CHECKING_MS } from './http-server.ts';
import { contextOptions, httpsServerOptions, newSessionKeys } from './https-options.ts';
import type { HttpsServers, SecureServerHandle } from './service-listeners.ts';

/** An HTTPS server with what closing it and re-pointing its default identity need. */
export interface SecureListener {
  readonly server: Http2SecureServer;
  readonly sessions: Set<ServerHttp2Session>;
  readonly sockets: Set<TLSSocket>;
  /** Of the certificate clients without SNI get. */
  fingerprint: string;
}

/** What Node's Http2SecureServer has for its HTTP/1.1 fallback (allowHTTP1) but @types/node does not declare. */
export interface Http1Fallback {
  keepAliveTimeout: number;
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
  closeIdleConnections(): void;
}

export class TlsIdentity implements HttpsServers {
  /** The current bound snapshot (its SNI table), the logger and the rejection counters. */
  readonly #runtime: EntrypointRuntime;
  /** The generated default certificate; null when there is no HTTPS entrypoint (no secure contexts are made). */
  readonly #fallbackCertificate: TlsMaterial | null;
  readonly #sessionKeys = newSessionKeys();
  /** Every HTTPS server made here: their default identity follows reloads. */
  readonly #servers = new Set<SecureListener>();

  /** @param fallbackCertificate the generated default certificate; give it exactly when HTTPS is on. */
  constructor(runtime: EntrypointRuntime, fallbackCertificate: TlsMaterial | null) {
    this.#runtime = runtime;
    this.#fallbackCertificate = fallbackCertificate;
  }

  /** Whether HTTPS can be served at all (a default certificate was given). */
  get enabled(): boolean {
    return this.#fallbackCertificate !== null;
  }

  /** What binding `snapshot` needs to make its SNI table; null when HTTPS is off. */
  binding(snapshot: Snapshot, previous: BoundSnapshot | null): TlsBinding | null {
    if (this.#fallbackCertificate === null) return null;
    return {
      fallbackCertificate: this.#fallbackCertificate,
      contextOptions: contextOptions(snapshot.settings, this.#sessionKeys),
      previous: previous?.sni ?? null,
    };
  }

  /** Clients without SNI get the listener's own context; replace it when the default certificate changed. */
  refresh(bound: BoundSnapshot): void {
    const entry = bound.sni?.defaultEntry;
    if (entry === undefined) return;
    for (const secure of this.#servers) {
      if (entry.material.fingerprint === secure.fingerprint) continue;
      secure.server.setSecureContext({
        ...contextOptions(bound.snapshot.settings, this.#sessionKeys),
        cert: entry.material.certPem,
        key: entry.material.keyPem,
      });
      secure.fingerprint = entry.material.fingerprint;
    }
  }

  /** Reads the current table on every handshake: a reload's certificates apply to the next one. */
  readonly sniCallback = (servername: string, callback: (err: Error | null, context?: SecureContext) => void): void => {
    const sni = this.#runtime.current.sni;
    if (sni === null) callback(new Error('no SNI table'));
    else callback(null, sni.select(servername).context);
  };

  /**
   * An HTTPS server set up as the HTTPS entrypoint is (SNI from the current table, HTTP/2 and HTTP/1.1, timeouts),
   * not yet listening: entrypoint Services' HTTPS ports use it. Null when edgeway has no certificates (HTTPS off).
   */
  httpsServer(settings: Settings): SecureServerHandle | null {
    if (this.#runtime.current.sni?.defaultEntry === undefined) return null;
    const secure = this.secureServer(settings);
    return {
      server: secure.server,
      destroyAll: () => {
        for (const socket of secure.sockets) socket.destroy();
      },
      forget: () => void this.#servers.delete(secure),
    };
  }

  /** A new HTTPS server, not yet listening, whose default identity follows reloads from now on. */
  secureServer(settings: Settings): SecureListener {
    const defaultEntry = this.#runtime.current.sni?.defaultEntry;
    if (defaultEntry === undefined) throw new Error('HTTPS needs a default certificate');
    const logger = this.#runtime.logger;
    const server = createSecureServer(httpsServerOptions(settings, this.#sessionKeys, defaultEntry.material, this.sniCallback));
    const secure: SecureListener = { server, sessions: new Set(), sockets: new Set(), fingerprint: defaultEntry.material.fingerprint };
    // Scanners and old clients fail handshakes all day long: worth a debug line, never more.
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      logger.debug({ err: { code: err.code, message: err.message }, remote: socket.remoteAddress }, 'TLS handshake failed');
      socket.destroy();
    });
    // HTTP/1.1 requests Node's parser refuses get edgeway's answers (and are counted), as on the plain entrypoint.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => answerClientError(err, socket, logger, this.#runtime.rejections));
    server.on('sessionError', (err: NodeJS.ErrnoException) => logger.debug({ err: { code: err.code, message: err.message } }, 'HTTP/2 session error'));
    server.on('session', (session: ServerHttp2Session) => {
      guardSession(session, H2_LIMITS);
      secure.sessions.add(session);
      session.once('close', () => secure.sessions.delete(session));
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      secure.sockets.add(socket);
      socket.once('close', () => secure.sockets.delete(socket));
    });
    // Idle HTTP/2 sessions close after the downstream keep-alive time; HTTP/1.1 clients (allowHTTP1) get the same
    // timeouts as on the HTTP entrypoint, through Node's HTTP/1 fallback (checked before 'listening').
    server.setTimeout(settings.downstream.keepAliveTimeoutMs);
    const fallback = server as Http2SecureServer & Http1Fallback;
    fallback.keepAliveTimeout = settings.downstream.keepAliveTimeoutMs;
    fallback.headersTimeout = settings.downstream.headersTimeoutMs;
    fallback.requestTimeout = settings.downstream.requestTimeoutMs;
    fallback.connectionsCheckingInterval = CONNECTIONS_CHECKING_MS;
    this.#servers.add(secure);
    return secure;
  }
}
