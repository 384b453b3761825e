/**
 * WebSocket peers for upgrade tests, with the `ws` package: an echo server on loopback that records the upgrade
 * requests it accepted and notices closes, and a client that opens with a given Host and round-trips messages.
 */
import type { ExecutionContext } from 'ava';
import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer, type ClientOptions } from 'ws';

export interface EchoServer {
  readonly port: number;
  /** The upgrade requests accepted, in order. */
  readonly seen: readonly IncomingMessage[];
  /** Connections the server saw closed. */
  readonly closed: () => number;
}

/** An echo WebSocket server on 127.0.0.1, closed in teardown. */
export async function echoServer(t: ExecutionContext): Promise<EchoServer> {
  const seen: IncomingMessage[] = [];
  let closed = 0;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (socket, req) => {
    seen.push(req);
    socket.on('message', (data, binary) => socket.send(data, { binary }));
    socket.on('close', () => closed++);
  });
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  );
  const address = wss.address();
  return { port: typeof address === 'object' && address !== null ? address.port : 0, seen, closed: () => closed };
}

/** Opens `url` with this Host; rejects with the status and X-Edgeway-Error of a refusal. Terminated in teardown. */
export function openWebSocket(t: ExecutionContext, url: string, host: string, options: ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ...options, headers: { host } });
    t.teardown(() => ws.terminate());
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`status ${res.statusCode}`), { status: res.statusCode, code: res.headers['x-edgeway-error'] })),
    );
  });
}

/** Sends `text` and resolves with the next message; rejects if the socket closes first. */
export function roundTrip(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error('closed'));
    ws.once('close', onClose);
    ws.once('message', (data: Buffer) => {
      ws.off('close', onClose);
      resolve(data.toString());
    });
    ws.send(text);
  });
}
