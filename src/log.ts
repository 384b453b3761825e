/**
 * Structured JSON logs through pino: one logger for the process, written asynchronously to stdout so logging never
 * blocks the event loop on a slow terminal or pipe.
 *
 * Lines are gathered into writes of 64 KiB, and flushed every 200 ms whatever the size: under load one write(2)
 * then carries a couple of hundred access lines, and when traffic is light a line still appears within a fifth of a
 * second. `Edgeway.close` flushes the rest, and so does process exit.
 *
 * Measured against undici-floor with perf/tools/profile-proxy.ts (CPU per request, alternating builds): each
 * asynchronous write costs the proxy far more than its bytes (a thread-pool hand-off and the wake-ups around it), so
 * the batch size is what decides the access log's price: at 8 KiB batches the log added about 10 µs to a 45 µs
 * request, at 64 KiB about 3 µs. The gathering happens in a LineBatch in front of pino's destination (sonic-boom)
 * rather than through sonic-boom's own `minLength`, which measures the byte length of its whole pending buffer on
 * every line; the batch encodes each line straight into a buffer, which sonic-boom hands to write(2) as it is.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

const BATCH_BYTES = 64 * 1024;
/** Room for a batch plus the longest ordinary line after it. */
const BUFFER_BYTES = 80 * 1024;
const FLUSH_EVERY_MS = 200;

/** Where a batch goes: pino's sonic-boom on stdout, or a worker's channel to the primary (src/workers/ipc-log.ts). */
export type Destination = Pick<ReturnType<typeof pino.destination>, 'write' | 'flush' | 'flushSync'>;

/** Lines gathered in a buffer and handed to the destination in batches; the stream pino writes to. */
export class LineBatch implements DestinationStream {
  readonly #destination: Destination;
  #buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  #used = 0;

  constructor(destination: Destination) {
    this.#destination = destination;
  }

  write(line: string): void {
    // A UTF-8 encoding takes at most 3 bytes per UTF-16 unit: hand over first when the line might not fit.
    if (line.length * 3 > BUFFER_BYTES - this.#used) {
      this.#handOver();
      if (line.length * 3 > BUFFER_BYTES) {
        this.#destination.write(Buffer.from(line) as unknown as string); // see #handOver
        return;
      }
    }
    this.#used += this.#buffer.write(line, this.#used, 'utf8');
    if (this.#used >= BATCH_BYTES) this.#handOver();
  }

  /** Called by pino's `logger.flush()` and the timer: hands over what is pending and lets sonic-boom write it. */
  flush(cb?: (err?: Error) => void): void {
    this.#handOver();
    try {
      this.#destination.flush(cb);
    } catch (err) {
      // flush() throws while the stream is still opening or already closed; both are harmless to skip.
      cb?.(err as Error);
    }
  }

  /** At process exit: everything pending is written before the process ends. */
  flushSync(): void {
    this.#handOver();
    try {
      this.#destination.flushSync();
    } catch {}
  }

  /** The filled part goes to sonic-boom, which writes it later: the batch continues in a fresh buffer. */
  #handOver(): void {
    if (this.#used === 0) return;
    // sonic-boom in buffer mode takes Buffers; its types only declare strings.
    this.#destination.write(this.#buffer.subarray(0, this.#used) as unknown as string);
    this.#buffer = Buffer.allocUnsafe(BUFFER_BYTES);
    this.#used = 0;
  }
}

/** Every open batch, written out at process exit (one listener for all loggers a process creates). */
const open = new Set<LineBatch>();
let exitHooked = false;

export function createLogger(level: string): Logger {
  // minLength 0: sonic-boom starts a write as soon as it gets a batch and none is in flight. Buffers, not strings:
  // the lines are encoded once, into the batch, and sonic-boom hands the batch to write(2) as it is.
  // maxLength: a stdout nobody reads (a stuck log shipper) must not grow the heap without bound; beyond 64 MiB
  // waiting, sonic-boom drops batches instead.
  const destination = pino.destination({ dest: 1, sync: false, minLength: 0, contentMode: 'buffer', maxLength: 64 * 1024 * 1024 });
  const { logger, batch, timer } = batchedLogger(level, destination, {});
  destination.on('close', () => {
    clearInterval(timer);
    open.delete(batch);
  });
  return logger;
}

/** The stream a pino logger writes its lines to, for writers of prepared lines (access log, workers' batches). */
export function loggerStream(logger: Logger): { write(line: string): void } | undefined {
  return (logger as unknown as Record<symbol, { write(line: string): void } | undefined>)[pino.symbols.streamSym];
}

/**
 * A logger writing JSON lines through a LineBatch into `destination`, flushed every 200 ms and at process exit;
 * `base` adds fields to every line (a worker's id and pid). Shared by stdout's logger and a worker's (ipc-log.ts).
 */
export function batchedLogger(
  level: string,
  destination: Destination,
  base: Readonly<Record<string, unknown>>,
): { readonly logger: Logger; readonly batch: LineBatch; readonly timer: NodeJS.Timeout } {
  const batch = new LineBatch(destination);
  open.add(batch);
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => {
      for (const b of open) b.flushSync();
    });
  }
  const timer = setInterval(() => batch.flush(), FLUSH_EVERY_MS);
  timer.unref();
  const logger = pino({ level, base: { name: 'edgeway', ...base }, timestamp: pino.stdTimeFunctions.epochTime }, batch);
  return { logger, batch, timer };
}
