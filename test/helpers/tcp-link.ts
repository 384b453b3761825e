/**
 * A TCP relay on loopback between a client and a server that a test can cut and restore, to give one client (one
 * replica) a network fault while everyone else keeps talking to the server: cut() destroys every relayed
 * connection and refuses new ones until restore(). Closed in teardown.
 */
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';

export interface TcpLink {
  /** `http://127.0.0.1:<port>`: where the client connects instead of the server. */
  readonly url: string;
  cut(): void;
  restore(): void;
}

export async function tcpLink(t: ExecutionContext, target: string): Promise<TcpLink> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cutAll = (): void => {
    for (const s of sockets) s.destroy();
  };
  t.teardown(async () => {
    cutAll();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () => {
      open = false;
      cutAll();
    },
    restore: () => {
      open = true;
    },
  };
}
