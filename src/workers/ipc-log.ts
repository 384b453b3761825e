/**
 * A worker's log lines go to the primary over IPC, in the same batches log.ts gathers for stdout (up to 64 KiB or
 * 200 ms). The primary writes each batch whole through its own logger's stream, so lines from every worker and the
 * primary reach stdout through one writer and never interleave, whether stdout is a pipe, a file or a terminal
 * (several processes writing batches larger than PIPE_BUF straight to one pipe could be split and interleaved).
 */
import type { Logger } from 'pino';
import { batchedLogger, loggerStream, type Destination } from '../log.ts';

/** Sends each batch as one message; `send` is process.send in a worker. */
class IpcDestination implements Destination {
  readonly #send: (text: string) => void;

  constructor(send: (text: string) => void) {
    this.#send = send;
  }

  write(chunk: string): boolean {
    // LineBatch hands over Buffers (see log.ts); the primary wants text it can append to its own batch.
    this.#send(typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8'));
    return true;
  }

  flush(cb?: (err?: Error) => void): void {
    cb?.();
  }

  flushSync(): void {}
}

/** The worker's logger: JSON lines as the primary's, with the worker id and pid on each. */
export function createWorkerLogger(level: string, worker: number, send: (text: string) => void): { readonly logger: Logger; flush(): void } {
  const { logger, batch } = batchedLogger(level, new IpcDestination(send), { worker, pid: process.pid });
  return { logger, flush: () => batch.flush() };
}

/** The primary's side: a worker's batch written whole through the primary's own stream. */
export function writeWorkerLines(logger: Logger, text: string): void {
  const stream = loggerStream(logger);
  if (stream !== undefined) stream.write(text);
  else process.stdout.write(text);
}
