/**
 * Starts one of the bench's own Node helpers (backend, http-proxy peer) and waits for the JSON line announcing its
 * port. They run under the same Node binary as the bench itself.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcesses, ManagedChild } from './child-processes.ts';
import type { PemFiles } from './pem-files.ts';

const PERF_DIR = dirname(fileURLToPath(import.meta.url));
const READY_TIMEOUT_MS = 15_000;

export interface StartedChild {
  readonly child: ManagedChild;
  readonly port: number;
}

/** @param nodeArgs flags for Node itself (`--cpu-prof` when profiling). */
export async function startNodeChild(
  procs: ChildProcesses,
  name: string,
  script: string,
  args: readonly string[],
  nodeArgs: readonly string[] = [],
): Promise<StartedChild> {
  const child = procs.start(name, process.execPath, [...nodeArgs, join(PERF_DIR, script), ...args], { stdout: 'pipe' });
  try {
    const port = await child.waitForLine((line) => readPort(line), READY_TIMEOUT_MS);
    return { child, port };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

function readPort(line: string): number | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && 'port' in value && typeof value.port === 'number') return value.port;
  } catch {
    // Not our ready line (a warning, say); keep waiting.
  }
  return undefined;
}

/**
 * One of the bench's peer proxies (perf/<peer>-peer.ts) in front of the backend; the URL to load it at. With `tls`
 * (certificate and key files; the undici floor only) it serves HTTPS.
 */
export async function startPeer(
  procs: ChildProcesses,
  name: string,
  peer: 'undici-floor' | 'http-proxy',
  backendPort: number,
  nodeArgs: readonly string[] = [],
  tls?: PemFiles,
): Promise<{ readonly url: string; readonly child: ManagedChild }> {
  const tlsArgs = tls === undefined ? [] : ['--cert', tls.certFile, '--key', tls.keyFile];
  const started = await startNodeChild(procs, name, `${peer}-peer.ts`, ['--target', `http://127.0.0.1:${backendPort}`, ...tlsArgs], nodeArgs);
  return { url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${started.port}/`, child: started.child };
}

/** Starts the fixed-body backend for one run. */
export function startBackend(procs: ChildProcesses, bodySize: number): Promise<StartedChild> {
  return startNodeChild(procs, `backend(${bodySize})`, 'backend.ts', ['--size', String(bodySize)]);
}
