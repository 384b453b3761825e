/**
 * Reload scenarios: edgeway serving a 10,000-object configuration, loaded on one host, once in steady state and
 * once while a loop rewrites the configuration file and reloads it (POST /reload) every RELOAD_INTERVAL_MS. The
 * loop records each reload's time to swap as edgeway reports it (load + validate + compile + swap), and whether it
 * succeeded; the report compares req/s of the two scenarios (bar: within 10%) and shows the swap times. They run
 * only when asked for (`--only reload`): each start loads 10,000 objects.
 */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Scenario, StartContext } from '../scenario.ts';
import { post } from '../wait-http.ts';
import { edgewayAvailability, startEdgeway } from './edgeway.ts';
import { RELOAD_LOAD_HOST, reloadConfig } from './reload-config.ts';

export const RELOAD_STEADY = 'edgeway-10k-objects-steady';
export const RELOAD_LOOP = 'edgeway-10k-objects-reloading';
export const RELOAD_INTERVAL_MS = 1_000;
/** Requests/s while reloading may be at most this much lower than in steady state. */
export const RELOAD_BAR = 0.1;

export function reloadScenario(reloading: boolean): Scenario {
  return {
    name: reloading ? RELOAD_LOOP : RELOAD_STEADY,
    group: 'reload',
    bodySizes: [11],
    onRequest: true,
    availability: edgewayAvailability,
    start: async (ctx: StartContext) => {
      const target = await startEdgeway(ctx, { hosts: [], loadHost: RELOAD_LOAD_HOST, yaml: reloadConfig(ctx.backendPort, 0) });
      if (!reloading) return target;
      const loop = reloadLoop(ctx, target.adminUrl);
      return {
        ...target,
        afterLoad: async () => ({ ...(await target.afterLoad?.()), ...(await loop.stop()) }),
        stop: async () => {
          await loop.stop();
          await target.stop();
        },
      };
    },
  };
}

/** Rewrites and reloads until stopped; resolves stop() with the swap-time facts. */
function reloadLoop(ctx: StartContext, adminUrl: string): { stop(): Promise<Record<string, number>> } {
  const swaps: number[] = [];
  let failures = 0;
  let running = true;
  const file = join(ctx.workDir, 'edgeway.yaml');
  const texts = [reloadConfig(ctx.backendPort, 1), reloadConfig(ctx.backendPort, 2)];
  const done = (async () => {
    for (let i = 0; running; i++) {
      const next = Date.now() + RELOAD_INTERVAL_MS;
      await writeFile(file, texts[i % 2]!);
      const reply = await post(`${adminUrl}/reload`).catch(() => ({ status: 0, body: '' }));
      const durationMs = reply.status === 200 ? (JSON.parse(reply.body) as { durationMs?: number }).durationMs : undefined;
      if (durationMs === undefined) failures++;
      else swaps.push(durationMs);
      while (running && Date.now() < next) await new Promise((r) => setTimeout(r, 50));
    }
  })();
  let facts: Promise<Record<string, number>> | undefined;
  return {
    stop: () =>
      (facts ??= (async () => {
        running = false;
        await done;
        const sorted = [...swaps].sort((a, b) => a - b);
        return {
          reloads: swaps.length,
          reloadFailures: failures,
          swapMsMedian: Math.round(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN),
          swapMsMax: Math.round(sorted.at(-1) ?? Number.NaN),
        };
      })()),
  };
}
