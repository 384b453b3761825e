/**
 * One `/metrics` scrape for the primary and all its workers. Traffic metrics (requests, latencies, pools, retries,
 * tunnels, rejections) live in each worker and are summed across them with prom-client's AggregatorRegistry, series by
 * series; the process metrics (CPU, memory, event loop) of the primary and every worker are aggregated the same way,
 * each by its own rule (sums, except e.g. versions). What only the primary knows — reloads and the generation,
 * certificate expiry, address pools, endpoint counts, the replica and its shared state — comes from the primary
 * alone, so it is never multiplied by the number of workers.
 *
 * Outlier ejection and panic happen in the workers (each ejects after the failures it saw), so their gauges come from
 * the workers, each merged by the rule in WORKER_AGGREGATORS: the primary carries no traffic and would read 0.
 */
import { AggregatorRegistry, type Aggregator, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

type Metrics = MetricObjectWithValues<MetricValue<string>>[];

const PRIMARY_ONLY = /^edgeway_(endpoints|config_|certificate_|address_pool_|replica_info|shared_state_)/;
const PROCESS = /^(process_|nodejs_)/;

/**
 * How the workers' ejection and panic series combine; every other worker series is summed. The gauges of state keep
 * the scale they have with one process, so a dashboard or an alert reads the same for any number of workers (which
 * workers eject an endpoint is in `/debug/upstreams`):
 * - ejections so far: the sum, every worker's ejection events together;
 * - endpoints ejected now: the most any worker ejects (never more than the Service port has endpoints, as a sum could be);
 * - endpoints healthy: the fewest any worker counts (healthy meaning not ejected, and passing the primary's checks);
 * - panic: 1 when any worker is in panic (the max of 0 and 1), so some of the traffic goes to unhealthy endpoints.
 */
const WORKER_AGGREGATORS: ReadonlyMap<string, Aggregator> = new Map<string, Aggregator>([
  ['edgeway_upstream_ejections', 'sum'],
  ['edgeway_upstream_endpoints_ejected', 'max'],
  ['edgeway_upstream_endpoints_healthy', 'min'],
  ['edgeway_upstream_panic', 'max'],
]);

/** Whether a metric of this name is the primary's alone. */
export function primaryOnly(name: string): boolean {
  return PRIMARY_ONLY.test(name);
}

/** The text exposition of the primary's own metrics merged with its workers' (getMetricsAsJSON of each). */
export async function mergeMetrics(primary: Registry, workers: readonly unknown[]): Promise<{ contentType: string; body: string }> {
  const own = ((await primary.getMetricsAsJSON()) as Metrics).filter((m) => primaryOnly(m.name) || PROCESS.test(m.name));
  const theirs = workers.map((w) => (w as Metrics).filter((m) => !primaryOnly(m.name)).map(withAggregator));
  const merged = AggregatorRegistry.aggregate([own, ...theirs]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}

function withAggregator(m: Metrics[number]): Metrics[number] {
  const aggregator = WORKER_AGGREGATORS.get(m.name);
  return aggregator === undefined ? m : { ...m, aggregator };
}
