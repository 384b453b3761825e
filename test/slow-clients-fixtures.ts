/**
 * Raw-socket clients for the slow-client tests: they send what a slow or stalled client sends and report when
 * edgeway closes on them, failing at a deadline (each test's timeout plus one second), never sleeping.
 */
import type { ExecutionContext } from 'ava';
import { connect, type Socket } from 'node:net';

/** A TCP connection to 127.0.0.1:port, destroyed in teardown. */
export function rawConnect(t: ExecutionContext, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
    t.teardown(() => socket.destroy());
  });
}

/**
 * Resolves with everything the peer sent once the connection closes (a reset counts as closed); rejects when it is
 * still open `deadlineMs` after the call.
 */
export function closedWithin(socket: Socket, deadlineMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error(`${what}: still open after ${deadlineMs} ms`)), deadlineMs);
    socket.on('data', (c: Buffer) => parts.push(c));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(parts).toString('latin1'));
    });
  });
}

/** Writes `text` and resolves once it is handed to the kernel. */
export function send(socket: Socket, text: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(text, (err) => (err ? reject(err) : resolve())));
}

/** Sends one byte every `everyMs` until the socket closes: a client uploading at a crawl (load, not a wait). */
export function dribble(t: ExecutionContext, socket: Socket, everyMs: number): void {
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) clearInterval(timer);
    else socket.write('x');
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
  t.teardown(() => clearInterval(timer));
}

/** The head of a POST with a Content-Length body, none of it sent. */
export function postHead(host: string, path: string, length: number): string {
  return `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${length}\r\n\r\n`;
}
