/**
 * The node:http server every HTTP listener uses (the entrypoints and the listeners on Service addresses), with the
 * downstream timeouts and limits from the settings. The caller attaches the request handler and listens.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Settings } from '../../config/settings.ts';
import type { Logger } from '../../log.ts';
import type { RejectionCounters } from '../../metrics/rejection-counters.ts';
import { answerClientError } from './client-error.ts';

/** How often Node looks for connections past headersTimeout or requestTimeout (HTTP/1.1, both entrypoints). */
export const CONNECTIONS_CHECKING_MS = 500;

/** @param rejections counts what Node's parser refuses (front-door metrics). */
export function createHttpServer(settings: Settings, logger: Logger, rejections: RejectionCounters | null = null): Server {
  const d = settings.downstream;
  const server = createServer({
    keepAliveTimeout: d.keepAliveTimeoutMs,
    headersTimeout: d.headersTimeoutMs,
    requestTimeout: d.requestTimeoutMs,
    maxHeaderSize: d.maxHeaderBytes,
    // Node checks header/request timeouts on this interval (30 s by default); an edge wants them enforced promptly,
    // within a second of the deadline even when the check lands just before it.
    connectionsCheckingInterval: CONNECTIONS_CHECKING_MS,
    noDelay: true,
    requireHostHeader: true,
    // A request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3): Node 24.12+ then hands
    // it over already ended instead of running it through the stream life cycle ('data', 'end', 'close'), which
    // edgeway never listens to on such requests (it sends them upstream without a body). Older Nodes ignore it.
    optimizeEmptyRequests: true,
  });
  // Node keeps only the first maxHeadersCount header lines and drops the rest without a word; one more than the
  // limit lets the entrypoint see that there were too many and answer 431 (request-framing.ts).
  server.maxHeadersCount = d.maxHeadersCount + 1;
  // No byte either way for this long closes the connection: slow body reads and stalled clients.
  server.timeout = d.idleTimeoutMs;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket, logger, rejections));
  return server;
}
