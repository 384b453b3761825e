/**
 * A listener for Service ports with `appProtocol: kubernetes.io/h2c`: clients may speak HTTP/2 with prior knowledge
 * (the connection opens with the `PRI * HTTP/2.0` preface) or plain HTTP/1.1, so the first bytes of each connection
 * decide which server gets it. Both servers call the same request handler.
 */
import type { Server as HttpServer, RequestListener } from 'node:http';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { http2Settings } from './https-options.ts';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** Four bytes tell the preface from every HTTP/1.1 method. */
const DECIDING_BYTES = 4;

export interface CleartextH2Listener {
  readonly server: TcpServer;
  /** Cuts every connection, HTTP/1.1 and HTTP/2 alike. */
  destroyAll(): void;
}

export function cleartextH2Listener(http1: HttpServer, handler: RequestListener): CleartextH2Listener {
  const h2: Http2Server = createHttp2Server({ settings: http2Settings() });
  h2.on('request', handler as unknown as (req: unknown, res: unknown) => void);
  const sockets = new Set<Socket>();
  const server = createTcpServer({ noDelay: true, pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let head: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      if (head.length < DECIDING_BYTES && PREFACE.subarray(0, head.length).equals(head)) return;
      socket.off('data', onData);
      socket.pause();
      const isH2 = head.length >= DECIDING_BYTES && PREFACE.subarray(0, DECIDING_BYTES).equals(head.subarray(0, DECIDING_BYTES));
      if (isH2) {
        // The HTTP/2 session reads what is buffered on the socket before it takes over the handle.
        socket.unshift(head);
        h2.emit('connection', socket);
        return;
      }
      // node:http's parser would read the handle directly and never see the bytes put back on the stream; a handle
      // marked as consumed makes it read through the stream instead (a little slower, and only on h2c ports).
      const handle = (socket as Socket & { _handle?: { _consumed?: boolean } })._handle;
      if (handle !== undefined) handle._consumed = true;
      socket.unshift(head);
      http1.emit('connection', socket);
      socket.resume();
    };
    socket.on('data', onData);
    socket.resume();
  });
  return {
    server,
    destroyAll: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}
