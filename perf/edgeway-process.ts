/**
 * Starts one `edgeway serve` process on free loopback ports for the perf tools (profile-proxy, ab-pair) and waits
 * until it is ready. The bench's own system (systems/edgeway.ts) starts it with more options (TLS, profiles).
 */
import type { ChildProcesses, ManagedChild } from './child-processes.ts';
import { freePort } from './free-port.ts';
import { waitForStatus } from './wait-http.ts';

export interface EdgewayProcess {
  readonly url: string;
  readonly child: ManagedChild;
}

/**
 * @param cli the build's `dist/cli/main.js`; @param nodeArgs flags for Node itself (`--cpu-prof`); @param stdout piped
 * when the caller reads it (V8's GC trace), else discarded.
 */
export async function startEdgewayProcess(
  procs: ChildProcesses,
  name: string,
  cli: string,
  config: string,
  stateDir: string,
  nodeArgs: readonly string[] = [],
  stdout: 'pipe' | 'ignore' = 'ignore',
): Promise<EdgewayProcess> {
  const [port, admin] = [await freePort(), await freePort()];
  const args = [
    ...nodeArgs,
    cli,
    'serve',
    '--config',
    config,
    '--http',
    `127.0.0.1:${port}`,
    '--admin',
    `127.0.0.1:${admin}`,
    '--state-dir',
    stateDir,
    '--drain-timeout',
    '1',
  ];
  const child = procs.start(name, process.execPath, args, { stdout });
  await waitForStatus(`http://127.0.0.1:${admin}/readyz`, 200, 20_000, child);
  return { url: `http://127.0.0.1:${port}/`, child };
}
