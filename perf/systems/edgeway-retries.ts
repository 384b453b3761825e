/**
 * The retry scenarios: the same edgeway as the `edgeway` scenario (whose defaults already retry connect failures and
 * resets), once with retries switched off by annotation — the plain path — and once with the widest policy an
 * Ingress can ask for (5xx and timeouts, 3 attempts, a per-try timeout, which adds a per-request undici timer). The
 * backend never fails, so both measure what the retry machinery costs on the happy path.
 */
import type { Scenario } from '../scenario.ts';
import { BENCH_HOST, BODY_SIZES } from '../scenario.ts';
import { edgewayAvailability, startEdgeway } from './edgeway.ts';

export const edgewayNoRetriesScenario: Scenario = {
  name: 'edgeway-no-retries',
  group: 'proxy',
  bodySizes: BODY_SIZES,
  availability: edgewayAvailability,
  start: (ctx) => startEdgeway(ctx, { hosts: [BENCH_HOST], loadHost: BENCH_HOST, ingressAnnotations: { 'edgeway.io/retry-attempts': '0' } }),
};

export const edgewayRetriesScenario: Scenario = {
  name: 'edgeway-retries',
  group: 'proxy',
  bodySizes: BODY_SIZES,
  availability: edgewayAvailability,
  start: (ctx) =>
    startEdgeway(ctx, {
      hosts: [BENCH_HOST],
      loadHost: BENCH_HOST,
      ingressAnnotations: {
        'edgeway.io/retry-attempts': '3',
        'edgeway.io/retry-on': 'connect-failure,reset,timeout,5xx',
        'edgeway.io/per-try-timeout': '10s',
      },
    }),
};
