/**
 * The generic measurement loop. For each repetition and body size it runs every scenario in turn (interleaved, so
 * slow drift on the shared machine hits all systems alike), and each run starts from nothing: a fresh backend, the
 * scenario's own processes, a warm-up load, then the measured load, then everything is stopped. Throughput moves by
 * up to 30% between process restarts here, so restarting per run and taking medians is the point.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './bench-options.ts';
import type { ChildProcesses } from './child-processes.ts';
import { runHandshakeLoad } from './handshake-load.ts';
import { runLoad, type LoadSpec } from './load-generator.ts';
import type { LoadResult } from './load-result.ts';
import { startBackend } from './node-child.ts';
import { processTreeCpuMicros } from './process-cpu.ts';
import type { RunningTarget, Scenario } from './scenario.ts';
import type { Measurement } from './stats.ts';

export interface RunInput {
  readonly scenarios: readonly Scenario[];
  readonly options: BenchOptions;
  readonly procs: ChildProcesses;
  readonly log: (line: string) => void;
}

export async function runScenarios(input: RunInput): Promise<Measurement[]> {
  const { scenarios, options, log } = input;
  const bodySizes = [...new Set(scenarios.flatMap((s) => s.bodySizes))];
  const measurements: Measurement[] = [];
  for (let rep = 1; rep <= options.reps; rep++) {
    for (const bodySize of bodySizes) {
      for (const scenario of scenarios) {
        if (!scenario.bodySizes.includes(bodySize)) continue;
        const m = await measureOnce(input, scenario, bodySize, rep);
        measurements.push(m);
        const what = m.result === null ? `FAILED: ${m.error ?? ''}` : describe(m.result);
        log(`[rep ${rep}/${options.reps}] ${scenario.name} ${bodySize} B: ${what}`);
      }
    }
  }
  return measurements;
}

async function measureOnce(input: RunInput, scenario: Scenario, bodySize: number, rep: number): Promise<Measurement> {
  const { procs, options } = input;
  const base = { scenario: scenario.name, group: scenario.group, bodySize, rep };
  const workDir = await mkdtemp(join(tmpdir(), `edgeway-bench-${scenario.name}-`));
  let backend: Awaited<ReturnType<typeof startBackend>> | undefined;
  let target: RunningTarget | undefined;
  let facts: Readonly<Record<string, number | string>> = {};
  try {
    backend = await startBackend(procs, bodySize);
    target = await scenario.start({ procs, options, backendPort: backend.port, workDir });
    facts = target.facts;
    const load = { url: target.url, host: target.host, connections: scenario.connections ?? options.connections };
    const servername = target.servername ?? target.host;
    const run = (spec: LoadSpec): Promise<LoadResult> =>
      scenario.load === 'handshake' ? runHandshakeLoad(procs, { ...spec, servername }) : runLoad(procs, spec);
    if (options.warmupSec > 0) await run({ ...load, durationSec: options.warmupSec });
    const cpuBefore = processTreeCpuMicros(target.pid);
    const result = await run({ ...load, durationSec: options.durationSec });
    const cpuAfter = processTreeCpuMicros(target.pid);
    const requests = result.requestsPerSec * options.durationSec;
    if (cpuBefore !== undefined && cpuAfter !== undefined && requests > 0) {
      facts = { ...facts, cpuMicrosPerRequest: Math.round(((cpuAfter - cpuBefore) / requests) * 10) / 10 };
    }
    if (target.afterLoad !== undefined) facts = { ...facts, ...(await target.afterLoad()) };
    return { ...base, result, error: null, facts };
  } catch (err) {
    return { ...base, result: null, error: err instanceof Error ? err.message : String(err), facts };
  } finally {
    await target?.stop();
    await backend?.child.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

function describe(r: LoadResult): string {
  const bad = r.errors + r.timeouts + r.non2xx;
  return `${Math.round(r.requestsPerSec)} req/s, p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms${bad > 0 ? `, ${bad} bad` : ''}`;
}
