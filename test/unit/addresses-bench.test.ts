/**
 * The bench's address table, pure: rows with MB/s, the LoadBalancer-over-Ingress ratio per body size, and the L4
 * over direct throughput ratio. (The scenarios themselves run in bench-smoke.)
 */
import test from 'ava';
import { addressesTable } from '../../perf/report.ts';
import type { Measurement } from '../../perf/stats.ts';
import { summarize } from '../../perf/stats.ts';

function m(scenario: string, bodySize: number, rps: number): Measurement {
  const result = { requestsPerSec: rps, latencyP50Ms: 1, latencyP99Ms: 10, ok2xx: 10, non2xx: 0, errors: 0, timeouts: 0 };
  return { scenario, group: 'addresses', bodySize, rep: 1, result, error: null, facts: {} };
}

test('addressesTable: MB/s per row, lb-http/ingress-path per body, l4-edgeway/l4-direct', (t) => {
  const s = summarize([
    m('ingress-path', 11, 1000),
    m('lb-http', 11, 990),
    m('ingress-path', 16384, 800),
    m('lb-http', 16384, 820),
    m('l4-direct', 1 << 20, 400),
    m('l4-edgeway', 1 << 20, 300),
  ]);
  const table = addressesTable(s, []);
  t.regex(table, /^\| l4-edgeway \| 1024 KiB \| 300 \| 300–300 \| 314\.6 \|/m);
  t.regex(table, /^lb-http \/ ingress-path req\/s, 11 B: 0\.99$/m);
  t.regex(table, /^lb-http \/ ingress-path req\/s, 16 KiB: 1\.02$/m);
  t.regex(table, /^l4-edgeway \/ l4-direct MB\/s, 1024 KiB: 0\.75$/m);
});
