/**
 * Runs perf/handshake-client.ts as its own child process, bounded like autocannon (a watchdog kills it if it overruns
 * its duration by much), and reads its result with the same parser.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcesses } from './child-processes.ts';
import { runLoadChild, type LoadSpec } from './load-generator.ts';
import type { LoadResult } from './load-result.ts';

const CLIENT = join(dirname(fileURLToPath(import.meta.url)), 'handshake-client.ts');

/** One request per new TLS connection, `connections` at a time, for `durationSec`. */
export function runHandshakeLoad(procs: ChildProcesses, spec: LoadSpec & { readonly servername: string }): Promise<LoadResult> {
  const url = new URL(spec.url);
  const args = [
    CLIENT,
    '--port',
    url.port,
    '--servername',
    spec.servername,
    '--host',
    spec.host,
    '--concurrency',
    String(spec.connections),
    '--duration',
    String(spec.durationSec),
  ];
  return runLoadChild(procs, 'handshake-client', process.execPath, args, spec);
}
