/**
 * One port, two protocols: a TCP server that reads the first byte of each connection and hands the socket to the
 * HTTPS server when it starts a TLS handshake (0x16, a ClientHello record) or to the plain HTTP server otherwise.
 * kubectl sends its bearer token only over TLS, while curl probes and load balancers on loopback keep using
 * `/healthz`, `/readyz` and `/metrics` over plain HTTP on the same address. The TLS server is asked for on every TLS
 * connection (so its certificate can change between connections) and never before the first, so a process nobody
 * reaches over TLS never creates a key.
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';

const TLS_HANDSHAKE = 0x16;
/** A connection that says nothing for this long is closed: it holds a socket and tells us nothing. */
const FIRST_BYTE_TIMEOUT_MS = 30_000;

export class ProtocolSniffer {
  readonly server: NetServer;
  readonly #plain: HttpServer;
  readonly #tlsServer: () => Promise<HttpsServer>;
  /**
   * Every open connection, whichever server has it: the HTTP servers never listen themselves, so they do not track
   * connections (closeAllConnections would do nothing) and close() ends them here.
   */
  readonly #open = new Set<Socket>();

  /** `tlsServer` is called for each TLS connection; a rejection closes that connection. */
  constructor(plain: HttpServer, tlsServer: () => Promise<HttpsServer>) {
    this.#plain = plain;
    this.#tlsServer = tlsServer;
    this.server = createNetServer((socket) => this.#accept(socket));
  }

  #accept(socket: Socket): void {
    this.#open.add(socket);
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('close', () => this.#open.delete(socket));
    // A reset before the first byte (or while the TLS server is being made) must not become an uncaught error; once
    // handed over, the HTTP or TLS server handles errors too, and this listener only makes sure the socket goes.
    socket.on('error', () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.setTimeout(0);
      // Put the byte back and let the chosen server read the stream from its start.
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] !== TLS_HANDSHAKE) return this.#handOver(this.#plain, socket);
      this.#tlsServer().then(
        (tls) => this.#handOver(tls, socket),
        () => socket.destroy(),
      );
    });
  }

  #handOver(server: HttpServer | HttpsServer, socket: Socket): void {
    if (socket.destroyed) return;
    server.emit('connection', socket);
    process.nextTick(() => socket.resume());
  }

  /** Stops accepting and closes every connection, idle or not. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.#open) socket.destroy();
    await closed;
  }
}
