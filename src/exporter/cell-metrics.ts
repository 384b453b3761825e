/**
 * prom-client metrics whose values come from the RouteCellRegistry at scrape time: a counter of requests and two
 * latency histograms. They implement the small interface prom-client's Registry reads (name, help, type,
 * aggregator, get), so exposition, content type and escaping stay prom-client's.
 */
import { METHOD_CLASSES, STATUS_CLASSES } from '../metrics/label-classes.ts';
import { DURATION_BUCKETS, type HistogramCells, type RouteCellRegistry, type RouteCells } from '../metrics/route-cells.ts';

type Labels = Record<string, string>;

interface Sample {
  readonly value: number;
  readonly labels: Labels;
  readonly metricName?: string;
}

/** What prom-client's Registry reads from a metric (its typings only admit its own classes; see metrics.ts). */
export interface CellMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: 'counter' | 'histogram'; aggregator: 'sum'; values: Sample[] }>;
  reset(): void;
}

function routeLabels(c: RouteCells): Labels {
  return { ingress: c.ingress, service: c.service };
}

const HELP_REQUESTS = 'HTTP requests answered, by Ingress and Service (namespace/name; empty when none matched), method class and status class.';

/** `edgeway_requests_total{ingress, service, method, status}`; only non-zero series are shown. */
export function requestCounter(registry: RouteCellRegistry): CellMetric {
  return {
    name: 'edgeway_requests_total',
    help: HELP_REQUESTS,
    type: 'counter',
    aggregator: 'sum',
    reset: () => registry.reset(),
    async get() {
      const values: Sample[] = [];
      for (const c of registry.all()) {
        for (let m = 0; m < METHOD_CLASSES.length; m++) {
          for (let s = 0; s < STATUS_CLASSES.length; s++) {
            const value = c.requests[m * STATUS_CLASSES.length + s]!;
            if (value !== 0) values.push({ value, labels: { ...routeLabels(c), method: METHOD_CLASSES[m]!, status: STATUS_CLASSES[s]! } });
          }
        }
      }
      return { name: 'edgeway_requests_total', help: HELP_REQUESTS, type: 'counter', aggregator: 'sum', values };
    },
  };
}

/** A histogram over one HistogramCells of each route (`pick`), in Prometheus' cumulative-bucket form. */
export function cellHistogram(registry: RouteCellRegistry, name: string, help: string, pick: (c: RouteCells) => HistogramCells): CellMetric {
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    reset: () => registry.reset(),
    async get() {
      const values: Sample[] = [];
      for (const c of registry.all()) {
        const h = pick(c);
        if (h.count === 0) continue;
        const labels = routeLabels(c);
        let cumulative = 0;
        for (let i = 0; i <= DURATION_BUCKETS.length; i++) {
          cumulative += h.buckets[i]!;
          const le = i === DURATION_BUCKETS.length ? '+Inf' : String(DURATION_BUCKETS[i]);
          values.push({ metricName: `${name}_bucket`, value: cumulative, labels: { ...labels, le } });
        }
        values.push({ metricName: `${name}_sum`, value: h.sum, labels });
        values.push({ metricName: `${name}_count`, value: h.count, labels });
      }
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
  };
}
