/**
 * Structured JSON logs through pino: one logger for the process, written asynchronously to stdout so logging never
 * blocks the event loop on a slow terminal or pipe; flushed on exit.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino(
    { level, base: { name: 'edgeway' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 1, sync: false }),
  );
}
