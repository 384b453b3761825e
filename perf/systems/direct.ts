/**
 * The `direct` system: autocannon straight at the backend, no proxy. The ceiling every proxy is measured against.
 */

import type { Scenario } from '../scenario.ts';
import { BENCH_HOST, BODY_SIZES } from '../scenario.ts';

export const directScenario: Scenario = {
  name: 'direct',
  group: 'proxy',
  bodySizes: BODY_SIZES,
  start: async (ctx) => ({
    url: `http://127.0.0.1:${ctx.backendPort}/`,
    host: BENCH_HOST,
    facts: {},
    stop: async () => {},
  }),
};
