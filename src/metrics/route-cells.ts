/**
 * Request counters and latency histograms per (ingress, service), kept as plain typed arrays. The request path
 * finds its cells with two map lookups and adds to array slots; prom-client only reads the arrays at scrape time
 * (see exporter/cell-metrics.ts). prom-client's own `labels(...).inc()` hashes the label set on every call, which is the
 * per-request cost this avoids. Cells outlive snapshots, so counters stay monotonic across reloads; keys are
 * Ingress and Service names from the configuration, never values a client sent.
 */
import { METHOD_CLASSES, STATUS_CLASSES, statusClass } from './label-classes.ts';

/** Upper bounds in seconds; an edge proxy's latencies start well under a millisecond. */
export const DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class HistogramCells {
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  readonly buckets = new Float64Array(DURATION_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    this.buckets[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

export class RouteCells {
  readonly ingress: string;
  readonly service: string;
  /** Indexed by method class × STATUS_CLASSES.length + status class. */
  readonly requests = new Float64Array(METHOD_CLASSES.length * STATUS_CLASSES.length);
  readonly duration = new HistogramCells();
  readonly upstreamHeaders = new HistogramCells();

  constructor(ingress: string, service: string) {
    this.ingress = ingress;
    this.service = service;
  }

  /** One finished request: its method class (label-classes.ts), final status and downstream duration. */
  record(method: number, status: number, seconds: number): void {
    this.requests[method * STATUS_CLASSES.length + statusClass(status)]!++;
    this.duration.observe(seconds);
  }
}

export class RouteCellRegistry {
  readonly #byIngress = new Map<string, Map<string, RouteCells>>();

  /** The cells for a route target; `''` stands for "none" (no route matched, or no Service). */
  cells(ingress: string, service: string): RouteCells {
    let byService = this.#byIngress.get(ingress);
    if (byService === undefined) {
      byService = new Map();
      this.#byIngress.set(ingress, byService);
    }
    let cells = byService.get(service);
    if (cells === undefined) {
      cells = new RouteCells(ingress, service);
      byService.set(service, cells);
    }
    return cells;
  }

  *all(): IterableIterator<RouteCells> {
    for (const byService of this.#byIngress.values()) yield* byService.values();
  }

  reset(): void {
    this.#byIngress.clear();
  }
}
