/**
 * Runs autocannon as its own child process (so the load generator never shares an event loop with the bench's
 * bookkeeping) and returns what it measured. Every run is bounded: autocannon gets a duration, and a watchdog kills
 * it if it overruns that by much.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcesses } from './child-processes.ts';
import { parseAutocannonJson } from './load-result.ts';
import type { LoadResult } from './load-result.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const AUTOCANNON = join(ROOT, 'node_modules', '.bin', 'autocannon');
/** Slack beyond the duration for autocannon to start, connect and print; generous because 2 cores are shared. */
const OVERRUN_MS = 20_000;

export interface LoadSpec {
  readonly url: string;
  /** Sent as the Host header. */
  readonly host: string;
  readonly connections: number;
  readonly durationSec: number;
}

export async function runLoad(procs: ChildProcesses, spec: LoadSpec): Promise<LoadResult> {
  const args = ['-j', '-c', String(spec.connections), '-d', String(spec.durationSec), '-H', `host=${spec.host}`, spec.url];
  // The .bin script's shebang says `env node`; put this Node first so it runs under the same Node 24.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` };
  return runLoadChild(procs, 'autocannon', AUTOCANNON, args, spec, env);
}

/**
 * Runs a load tool that prints autocannon's JSON (autocannon itself, or perf/handshake-client.ts) as a child,
 * killed by a watchdog if it overruns its duration by much, and parses what it printed.
 */
export async function runLoadChild(
  procs: ChildProcesses,
  name: string,
  command: string,
  args: readonly string[],
  spec: LoadSpec,
  env?: NodeJS.ProcessEnv,
): Promise<LoadResult> {
  const child = procs.start(name, command, args, { stdout: 'pipe', ...(env === undefined ? {} : { env }) });
  let out = '';
  child.process.stdout?.setEncoding('utf8');
  child.process.stdout?.on('data', (chunk: string) => {
    out += chunk;
  });
  const watchdog = setTimeout(() => child.process.kill('SIGKILL'), spec.durationSec * 1000 + OVERRUN_MS);
  const status = await child.exited;
  clearTimeout(watchdog);
  if (status !== 0) throw new Error(`${name} exited (${String(status)}) against ${spec.url}\n${child.stderrTail}`);
  return parseAutocannonJson(out);
}
