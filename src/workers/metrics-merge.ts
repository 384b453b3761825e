/**
 * One `/metrics` scrape for the primary and all its workers. Traffic metrics (requests, latencies, pools, retries,
 * tunnels, rejections) live in each worker and are summed across them with prom-client's AggregatorRegistry, series by
 * series; the process metrics (CPU, memory, event loop) of the primary and every worker are aggregated the same way,
 * each by its own rule (sums, except e.g. versions). What only the primary knows — reloads and the generation,
 * certificate expiry, address pools, endpoint counts and active health, the replica and its shared state — comes
 * from the primary alone, so it is never multiplied by the number of workers.
 */
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

type Metrics = MetricObjectWithValues<MetricValue<string>>[];

const PRIMARY_ONLY = /^edgeway_(endpoints|config_|certificate_|address_pool_|upstream_endpoints_|upstream_ejections|upstream_panic|replica_info|shared_state_)/;
const PROCESS = /^(process_|nodejs_)/;

/** Whether a metric of this name is the primary's alone. */
export function primaryOnly(name: string): boolean {
  return PRIMARY_ONLY.test(name);
}

/** The text exposition of the primary's own metrics merged with its workers' (getMetricsAsJSON of each). */
export async function mergeMetrics(primary: Registry, workers: readonly unknown[]): Promise<{ contentType: string; body: string }> {
  const own = ((await primary.getMetricsAsJSON()) as Metrics).filter((m) => primaryOnly(m.name) || PROCESS.test(m.name));
  const theirs = workers.map((w) => (w as Metrics).filter((m) => !primaryOnly(m.name)));
  const merged = AggregatorRegistry.aggregate([own, ...theirs]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}
