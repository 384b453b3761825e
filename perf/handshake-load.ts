/**
 * Runs perf/handshake-client.ts as its own child process, bounded like autocannon (a watchdog kills it if it overruns
 * its duration by much), and reads its result with the same parser.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcesses } from './child-processes.ts';
import type { LoadSpec } from './load-generator.ts';
import { parseAutocannonJson, type LoadResult } from './load-result.ts';

const CLIENT = join(dirname(fileURLToPath(import.meta.url)), 'handshake-client.ts');
const OVERRUN_MS = 20_000;

/** One request per new TLS connection, `connections` at a time, for `durationSec`. */
export async function runHandshakeLoad(procs: ChildProcesses, spec: LoadSpec & { readonly servername: string }): Promise<LoadResult> {
  const url = new URL(spec.url);
  const args = [CLIENT, '--port', url.port, '--servername', spec.servername, '--host', spec.host, '--concurrency', String(spec.connections), '--duration', String(spec.durationSec)];
  const child = procs.start('handshake-client', process.execPath, args, { stdout: 'pipe' });
  let out = '';
  child.process.stdout?.setEncoding('utf8');
  child.process.stdout?.on('data', (chunk: string) => {
    out += chunk;
  });
  const watchdog = setTimeout(() => child.process.kill('SIGKILL'), spec.durationSec * 1000 + OVERRUN_MS);
  const status = await child.exited;
  clearTimeout(watchdog);
  if (status !== 0) throw new Error(`handshake client exited (${String(status)}) against ${spec.url}\n${child.stderrTail}`);
  return parseAutocannonJson(out);
}
