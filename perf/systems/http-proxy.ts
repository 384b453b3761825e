/**
 * The `http-proxy` system: node-http-proxy with a keep-alive agent, in its own process (perf/http-proxy-peer.ts).
 * The plain-Node baseline: edgeway should not be slower than this.
 */

import { startPeer } from '../node-child.ts';
import type { Scenario } from '../scenario.ts';
import { BENCH_HOST, BODY_SIZES } from '../scenario.ts';

export const httpProxyScenario: Scenario = {
  name: 'http-proxy',
  group: 'proxy',
  bodySizes: BODY_SIZES,
  start: async (ctx) => {
    const { url, child } = await startPeer(ctx.procs, 'http-proxy', 'http-proxy', ctx.backendPort);
    return { url, host: BENCH_HOST, facts: {}, pid: child.process.pid, stop: () => child.stop() };
  },
};
