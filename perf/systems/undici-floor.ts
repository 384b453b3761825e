/**
 * The `undici-floor` system: the smallest undici dispatch proxy (perf/undici-floor-peer.ts), the floor a Node
 * proxy reaches on this machine. Compared in the same run, it shows what edgeway's routing, headers, logging and
 * resilience cost above the floor.
 */

import { startPeer } from '../node-child.ts';
import type { Scenario } from '../scenario.ts';
import { BENCH_HOST, BODY_SIZES } from '../scenario.ts';

export const undiciFloorScenario: Scenario = {
  name: 'undici-floor',
  group: 'proxy',
  bodySizes: BODY_SIZES,
  start: async (ctx) => {
    const { url, child } = await startPeer(ctx.procs, 'undici-floor', 'undici-floor', ctx.backendPort);
    return { url, host: BENCH_HOST, facts: {}, pid: child.process.pid, stop: () => child.stop() };
  },
};
