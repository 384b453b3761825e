/**
 * The `http-proxy` system: node-http-proxy with a keep-alive agent, in its own process (perf/http-proxy-peer.ts).
 * The plain-Node baseline: edgeway should not be slower than this.
 */

import { startNodeChild } from '../node-child.ts';
import { processCpuMicros } from '../process-cpu.ts';
import type { Scenario } from '../scenario.ts';
import { BENCH_HOST, BODY_SIZES } from '../scenario.ts';

export const httpProxyScenario: Scenario = {
  name: 'http-proxy',
  group: 'proxy',
  bodySizes: BODY_SIZES,
  start: async (ctx) => {
    const peer = await startNodeChild(ctx.procs, 'http-proxy', 'http-proxy-peer.ts', ['--target', `http://127.0.0.1:${ctx.backendPort}`]);
    return { url: `http://127.0.0.1:${peer.port}/`, host: BENCH_HOST, facts: {}, cpuMicros: () => processCpuMicros(peer.child.process.pid), stop: () => peer.child.stop() };
  },
};
