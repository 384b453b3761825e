/**
 * One JSON line per request: time, method, host, path, status, bytes, duration, upstream address, request id, and,
 * when edgeway answered itself, the reason code. Fields are bounded to what the request carried.
 */
import type { Logger } from '../log.ts';

export interface AccessRecord {
  method: string | undefined;
  host: string | undefined;
  path: string;
  status: number;
  bytes: number;
  durationMs: number;
  upstream: string | undefined;
  requestId: string | undefined;
  ingress: string | undefined;
  service: string | undefined;
  reason: string | undefined;
}

export class AccessLog {
  readonly #logger: Logger | null;

  constructor(logger: Logger, enabled: boolean) {
    this.#logger = enabled ? logger.child({ log: 'access' }) : null;
  }

  get enabled(): boolean {
    return this.#logger !== null;
  }

  write(record: AccessRecord): void {
    if (record.reason !== undefined) this.#logger?.warn(record, 'request');
    else this.#logger?.info(record, 'request');
  }
}
