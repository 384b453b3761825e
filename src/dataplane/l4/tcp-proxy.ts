/**
 * TCP pass-through for a Service port that is not HTTP: each accepted connection goes to one ready endpoint, picked
 * by the backend's balancer (round-robin, or ClientIP affinity), and bytes are piped both ways.
 *
 * Half-close is passed on: when one side ends its writes, the other side gets a FIN and may go on sending (both
 * sockets allow half-open). An error on either side tears both down, with a reset towards the client when the
 * endpoint cannot be reached, so clients see a refused service rather than an empty answer. A connection with no
 * traffic either way for the idle timeout (settings `addresses.tcpIdleTimeout`) is closed; an endpoint that does not
 * accept within the upstream connect timeout resets the client.
 */
import { connect, type Socket } from 'node:net';
import type { Logger } from '../../log.ts';
import type { EntrypointRuntime } from '../request/http-entrypoint.ts';

export class TcpProxy {
  readonly #runtime: EntrypointRuntime;
  readonly #backendKey: string;
  readonly #logger: Logger;
  /** Client sockets of open connections, for a forced stop. */
  readonly #open = new Set<Socket>();

  constructor(runtime: EntrypointRuntime, backendKey: string, logger: Logger) {
    this.#runtime = runtime;
    this.#backendKey = backendKey;
    this.#logger = logger;
  }

  get connections(): number {
    return this.#open.size;
  }

  /** The `connection` listener for a net.Server created with allowHalfOpen. */
  readonly handle = (client: Socket): void => {
    const bound = this.#runtime.current;
    const backend = bound.backends.get(this.#backendKey);
    if (backend === undefined || backend.backend.ready.length === 0) {
      client.resetAndDestroy();
      return;
    }
    const remote = client.remoteAddress ?? '';
    const clientIp = remote.startsWith('::ffff:') ? remote.slice(7) : remote;
    // The upstream set skips unhealthy and ejected endpoints and applies locality, as for HTTP.
    const member = backend.pick({ clientIp });
    const endpoint = member?.endpoint;
    if (member === null || endpoint === undefined) {
      client.resetAndDestroy();
      return;
    }
    const settings = bound.snapshot.settings;
    const idleMs = settings.addresses.tcpIdleTimeoutMs;
    const upstream = connect({ host: endpoint.address, port: endpoint.port, allowHalfOpen: true, noDelay: true });
    this.#open.add(client);
    client.setNoDelay(true);
    if (idleMs > 0) client.setTimeout(idleMs);
    // Until it connects, the endpoint gets the upstream connect timeout (a blackholed endpoint must not hold the
    // client for the whole idle timeout); after that, the idle timeout like the client side.
    upstream.setTimeout(settings.upstream.connectTimeoutMs);
    upstream.once('connect', () => upstream.setTimeout(idleMs));
    client.pipe(upstream);
    upstream.pipe(client);
    const idle = (): void => {
      const refused = upstream.connecting;
      upstream.destroy();
      if (refused) client.resetAndDestroy();
      else client.destroy();
    };
    client.on('timeout', idle);
    upstream.on('timeout', idle);
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      this.#logger.debug({ service: backend.backend.service, upstream: member.address, code: err.code }, 'tcp upstream error');
      if (!client.destroyed) client.resetAndDestroy();
    });
    client.on('error', () => {
      if (!upstream.destroyed) upstream.destroy();
    });
    // Once one side is fully closed (both directions done, or torn down), nothing more can flow: close the other.
    upstream.on('close', () => {
      if (!client.destroyed) client.destroy();
    });
    client.on('close', () => {
      this.#open.delete(client);
      if (!upstream.destroyed) upstream.destroy();
    });
  };

  /** Cuts every open connection (after the drain time has passed). */
  destroyAll(): void {
    for (const socket of this.#open) socket.destroy();
  }
}
