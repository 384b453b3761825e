/**
 * Balancing and health scenarios (issue 6):
 *
 * - `health` group: edgeway with active health checks (every second, on the bench backend) and outlier detection,
 *   against the same edgeway with both off. The bar: health within 5% of plain req/s.
 * - `balancing` group: three endpoints, one of them answering 200 ms late, under round robin, least request and
 *   peak EWMA, with 10 connections (a closed loop: with many more connections, any policy must park some requests
 *   on the slow endpoint). Reported: p99 per policy; least request and EWMA should beat round robin.
 */
import type { Scenario, StartContext } from '../scenario.ts';
import { BENCH_HOST } from '../scenario.ts';
import { startNodeChild } from '../node-child.ts';
import { edgewayAvailability, startEdgeway } from './edgeway.ts';
import type { Summary } from '../stats.ts';
import { formatMs, formatRate, formatRatio, formatSpread } from '../report.ts';

export const SLOW_MS = 200;
export const BALANCING_CONNECTIONS = 10;
export const HEALTH_BAR = 0.05;

export function healthScenario(withHealth: boolean): Scenario {
  return {
    name: withHealth ? 'edgeway-health' : 'edgeway-plain',
    group: 'health',
    bodySizes: [11],
    availability: edgewayAvailability,
    start: (ctx) =>
      startEdgeway(ctx, {
        hosts: [BENCH_HOST],
        loadHost: BENCH_HOST,
        config: withHealth
          ? {
              serviceAnnotations: { 'edgeway.io/health-check-path': '/healthz', 'edgeway.io/health-check-interval': '1s' },
              settings: { outlierDetection: { enabled: true } },
            }
          : { settings: { outlierDetection: { enabled: false } } },
      }),
  };
}

export function balancingScenario(policy: 'round-robin' | 'least-request' | 'ewma'): Scenario {
  return {
    name: `balance-${policy}`,
    group: 'balancing',
    bodySizes: [11],
    connections: BALANCING_CONNECTIONS,
    availability: edgewayAvailability,
    start: async (ctx: StartContext) => {
      const fast = await startNodeChild(ctx.procs, 'backend(fast)', 'backend.ts', ['--size', '11']);
      const slow = await startNodeChild(ctx.procs, 'backend(slow)', 'backend.ts', ['--size', '11', '--delay', String(SLOW_MS)]);
      const target = await startEdgeway(ctx, {
        hosts: [BENCH_HOST],
        loadHost: BENCH_HOST,
        // Outlier detection off: the slow endpoint answers 200, so it would not be ejected anyway; this isolates the policy.
        config: {
          extraPorts: [fast.port, slow.port],
          serviceAnnotations: { 'edgeway.io/load-balancer': policy },
          settings: { outlierDetection: { enabled: false } },
        },
      });
      return {
        ...target,
        stop: async () => {
          await target.stop();
          await Promise.all([fast.child.stop(), slow.child.stop()]);
        },
      };
    },
  };
}

export function healthTable(summaries: readonly Summary[]): string {
  const rows = summaries.filter((s) => s.group === 'health');
  const lines = ['| config | req/s (median) | spread (min–max) | p50 ms | p99 ms | bad responses | runs |', '|---|---:|---|---:|---:|---:|---:|'];
  for (const s of rows)
    lines.push(
      `| ${s.scenario} | ${formatRate(s.requestsPerSec.median)} | ${formatSpread(s.requestsPerSec)} | ${formatMs(s.latencyP50Ms)} | ${formatMs(s.latencyP99Ms)} | ${s.badResponses} | ${s.runs} |`,
    );
  const plain = rows.find((s) => s.scenario === 'edgeway-plain')?.requestsPerSec.median ?? Number.NaN;
  const health = rows.find((s) => s.scenario === 'edgeway-health')?.requestsPerSec.median ?? Number.NaN;
  const r = health / plain;
  if (Number.isFinite(r))
    lines.push('', `edgeway-health / edgeway-plain req/s: ${formatRatio(r)} (${r >= 1 - HEALTH_BAR ? 'within' : 'OUTSIDE'} the ${HEALTH_BAR * 100}% bar)`);
  return lines.join('\n');
}

export function balancingTable(summaries: readonly Summary[]): string {
  const rows = summaries.filter((s) => s.group === 'balancing');
  const lines = [
    `Three endpoints, one answering ${SLOW_MS} ms late; ${BALANCING_CONNECTIONS} connections.`,
    '',
    '| policy | req/s (median) | p50 ms | p99 ms | bad responses | runs |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const s of rows)
    lines.push(
      `| ${s.scenario.replace('balance-', '')} | ${formatRate(s.requestsPerSec.median)} | ${formatMs(s.latencyP50Ms)} | ${formatMs(s.latencyP99Ms)} | ${s.badResponses} | ${s.runs} |`,
    );
  return lines.join('\n');
}
