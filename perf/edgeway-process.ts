/**
 * Starts one `edgeway serve` process on free loopback ports for the perf tools (profile-proxy, ab-pair) and waits
 * until it is ready. The bench's own system (systems/edgeway.ts) starts it with more options (TLS, profiles).
 */
import type { ChildProcesses, ManagedChild } from './child-processes.ts';
import { workersArgs } from './systems/edgeway.ts';
import { freePort } from './free-port.ts';
import { waitForStatus } from './wait-http.ts';

export interface EdgewayProcess {
  readonly url: string;
  /** The admin listener's port (readiness, reload, the Kubernetes API). */
  readonly adminPort: number;
  readonly child: ManagedChild;
}

export interface EdgewayProcessOptions {
  /** Flags for Node itself (`--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** Piped when the caller reads it (V8's GC trace), else discarded. */
  readonly stdout?: 'pipe' | 'ignore';
  /** How long start-up may take (a configuration of tens of thousands of objects takes a while); 20 s unless given. */
  readonly readyMs?: number;
  /** `--workers N` for the child; one without it (systems/edgeway.ts, workersArgs). */
  readonly workers?: number;
  /** Load goes to an HTTPS entrypoint (the configuration must hold the default certificate) instead of plain HTTP. */
  readonly https?: boolean;
}

/** @param cli the build's `dist/cli/main.js`; @param config a file or directory for `--config`. */
export async function startEdgewayProcess(
  procs: ChildProcesses,
  name: string,
  cli: string,
  config: string,
  stateDir: string,
  options: EdgewayProcessOptions = {},
): Promise<EdgewayProcess> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const https = options.https === true;
  const args = [
    ...(options.nodeArgs ?? []),
    cli,
    'serve',
    '--config',
    config,
    ...(https ? ['--https', `127.0.0.1:${port}`, '--http', `127.0.0.1:${await freePort()}`] : ['--http', `127.0.0.1:${port}`]),
    '--admin',
    `127.0.0.1:${adminPort}`,
    '--state-dir',
    stateDir,
    '--drain-timeout',
    '1',
    ...(await workersArgs(options.workers, cli)),
  ];
  const child = procs.start(name, process.execPath, args, { stdout: options.stdout ?? 'ignore' });
  await waitForStatus(`http://127.0.0.1:${adminPort}/readyz`, 200, options.readyMs ?? 20_000, child);
  return { url: `${https ? 'https' : 'http'}://127.0.0.1:${port}/`, adminPort, child };
}
