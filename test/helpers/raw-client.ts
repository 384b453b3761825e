/**
 * A raw HTTP/1 client for hostile-input tests: writes bytes exactly as given (in one write or several), reads until
 * the server closes the connection or a deadline passes, and reports the status lines it saw.
 */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  readonly text: string;
  /** The server closed the connection (or reset it) before the deadline. */
  readonly closed: boolean;
  readonly statuses: readonly number[];
}

/** Writes each of `parts` in turn on one fresh connection (`open` defaults to loopback TCP on `port`). */
export function rawExchange(port: number, parts: string | Buffer | readonly (string | Buffer)[], deadlineMs = 3000, open?: () => Socket): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = open === undefined ? connect(port, '127.0.0.1') : open();
    const chunks: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => socket.destroy(), deadlineMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => (closed = true));
    socket.on('error', () => (closed = true));
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ text, closed, statuses: [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1])) });
    });
    const list = typeof parts === 'string' || Buffer.isBuffer(parts) ? [parts] : parts;
    for (const part of list) socket.write(part);
  });
}
