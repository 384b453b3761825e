/**
 * The `undici-floor` system: the smallest undici dispatch proxy (perf/undici-floor-peer.ts), the floor a Node
 * proxy reaches on this machine. Compared in the same run, it shows what edgeway's routing, headers, logging and
 * resilience cost above the floor.
 */

import { startNodeChild } from '../node-child.ts';
import { processCpuMicros } from '../process-cpu.ts';
import type { Scenario } from '../scenario.ts';
import { BENCH_HOST, BODY_SIZES } from '../scenario.ts';

export const undiciFloorScenario: Scenario = {
  name: 'undici-floor',
  group: 'proxy',
  bodySizes: BODY_SIZES,
  start: async (ctx) => {
    const peer = await startNodeChild(ctx.procs, 'undici-floor', 'undici-floor-peer.ts', ['--target', `http://127.0.0.1:${ctx.backendPort}`]);
    return { url: `http://127.0.0.1:${peer.port}/`, host: BENCH_HOST, facts: {}, cpuMicros: () => processCpuMicros(peer.child.process.pid), stop: () => peer.child.stop() };
  },
};
