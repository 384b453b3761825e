/**
 * One JSON line per request: time, method, host, path, status, bytes, duration, upstream address, request id, and,
 * when edgeway answered itself, the reason code.
 *
 * The line is written on every request, so it is serialised by a fixed-shape writer straight into the process
 * logger's pino destination (same stream, same line format as pino's `info`/`warn` lines) rather than through
 * pino's generic object serialisation: profiling showed the generic path and its ISO timestamps costing a
 * double-digit share of throughput. Fields that can carry client bytes (path, request id) are JSON-escaped; the
 * others are validated tokens (method), normalised hosts, addresses and names from the configuration.
 */
import { loggerStream, type Logger } from '../../log.ts';

export interface AccessRecord {
  method: string | undefined;
  host: string | undefined;
  path: string;
  status: number;
  bytes: number;
  /** Unrounded; the line carries it to the microsecond. */
  durationMs: number;
  upstream: string | undefined;
  requestId: string | undefined;
  ingress: string | undefined;
  service: string | undefined;
  reason: string | undefined;
}

interface Sink {
  write(line: string): unknown;
}

const INFO = 30;
const WARN = 40;

export class AccessLog {
  readonly #sink: Sink | null;
  readonly #prefix: string;
  #headTime = 0;
  #headText = '';

  constructor(logger: Logger, enabled: boolean) {
    const stream: Sink | undefined = loggerStream(logger);
    this.#sink = enabled && logger.isLevelEnabled('info') && stream !== undefined ? stream : null;
    const bindings = logger.bindings() as { name?: string; worker?: number };
    const name = bindings.name ?? 'edgeway';
    // A data-plane worker's lines say which worker wrote them (src/workers/ipc-log.ts).
    const worker = bindings.worker === undefined ? '' : `,"worker":${bindings.worker}`;
    this.#prefix = `,"name":${JSON.stringify(name)}${worker},"log":"access"`;
  }

  get enabled(): boolean {
    return this.#sink !== null;
  }

  write(r: AccessRecord): void {
    if (this.#sink === null) return;
    // A proxied request has every field: one template builds its line from the cached head and as few pieces as
    // possible (measured with perf/tools/ab-pair.ts, building the line was most of the access log's cost). The
    // general form covers edgeway's own answers (a reason, and no upstream, request id or route).
    const { method, host, upstream, requestId, ingress, service } = r;
    if (
      r.reason === undefined &&
      method !== undefined &&
      host !== undefined &&
      upstream !== undefined &&
      requestId !== undefined &&
      ingress !== undefined &&
      service !== undefined
    ) {
      this.#sink.write(
        `${this.#head()}"method":"${method}","host":"${host}","path":${quoted(r.path)},"status":${r.status},"bytes":${r.bytes},"durationMs":${milliseconds(r.durationMs)},"upstream":"${upstream}","requestId":${quoted(requestId)},"ingress":"${ingress}","service":"${service}","msg":"request"}\n`,
      );
      return;
    }
    this.#sink.write(
      `{"level":${r.reason === undefined ? INFO : WARN},"time":${Date.now()}${this.#prefix}` +
        `,"method":${str(method)},"host":${str(host)},"path":${quoted(r.path)}` +
        `,"status":${r.status},"bytes":${r.bytes},"durationMs":${milliseconds(r.durationMs)}` +
        `,"upstream":${str(upstream)},"requestId":${requestId === undefined ? 'null' : quoted(requestId)}` +
        `,"ingress":${str(ingress)},"service":${str(service)}` +
        (r.reason === undefined ? '' : `,"reason":"${r.reason}"`) +
        `,"msg":"request"}\n`,
    );
  }

  /** `{"level":30,"time":…,"name":…,"log":"access",` for the current millisecond, made once per millisecond. */
  #head(): string {
    const now = Date.now();
    if (now !== this.#headTime) {
      this.#headTime = now;
      this.#headText = `{"level":${INFO},"time":${now}${this.#prefix},`;
    }
    return this.#headText;
  }
}

/**
 * A JSON string literal for a value that may carry client bytes (path, request id). Nearly all are printable ASCII
 * without quote or backslash and are quoted as they are; anything else goes through JSON.stringify.
 */
export function quoted(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return JSON.stringify(value);
  }
  return `"${value}"`;
}

/** Strings that cannot need escaping (tokens, normalised hosts, addresses, Kubernetes names) are quoted as is. */
function str(value: string | undefined): string {
  return value === undefined ? 'null' : `"${value}"`;
}

/**
 * A duration to the microsecond as a JSON number (`12.034`), from integers: formatting a fractional double is several
 * times slower, and this runs on every line.
 */
export function milliseconds(ms: number): string {
  const us = Math.round(ms * 1000);
  const fraction = us % 1000;
  return `${(us - fraction) / 1000}.${fraction < 10 ? `00${fraction}` : fraction < 100 ? `0${fraction}` : fraction}`;
}
