/**
 * A real etcd for the perf tools: one member on loopback, client and peer URLs on ports the OS picked, a data dir the
 * caller owns, started through the bench's process registry so it is stopped with everything else. The tests' starter
 * (test/helpers/etcd.ts) uses the same arguments and health check from here.
 *
 * The binary is Debian's `etcd-server` package (`apt-get install etcd-server`); when it is missing the start fails
 * saying so.
 */
import type { ChildProcesses, ManagedChild } from './child-processes.ts';
import { freePort } from './free-port.ts';

export interface EtcdProcess {
  /** The client URL, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  readonly child: ManagedChild;
}

const POLL_MS = 50;

/** Starts etcd on `dataDir` and resolves once its /health says it has a leader. */
export async function startEtcdProcess(procs: ChildProcesses, dataDir: string, timeoutMs = 20_000): Promise<EtcdProcess> {
  const clientUrl = `http://127.0.0.1:${await freePort()}`;
  const peerUrl = `http://127.0.0.1:${await freePort()}`;
  const child = procs.start('etcd', 'etcd', etcdArgs('edgeway-perf', dataDir, clientUrl, peerUrl), { stdout: 'ignore' });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.running) {
      const missing = child.stderrTail.includes('ENOENT') ? ' (is etcd on PATH? apt-get install etcd-server)' : '';
      throw new Error(`etcd exited (${String(child.exitStatus)}) before it answered${missing}\n${child.stderrTail}`);
    }
    if (await etcdHealthy(clientUrl)) return { endpoint: clientUrl, child };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`etcd did not answer on ${clientUrl} within ${timeoutMs} ms\n${child.stderrTail}`);
}

/** One member on loopback: its name, data dir, and client and peer URLs; only errors are logged. */
export function etcdArgs(name: string, dataDir: string, clientUrl: string, peerUrl: string): string[] {
  return [
    `--name=${name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${name}=${peerUrl}`,
    '--log-level=error',
  ];
}

/** True once etcd reports itself healthy (it has a leader); false while it is not listening yet. */
export async function etcdHealthy(clientUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await response.json()) as { health?: unknown };
    return response.ok && body.health === 'true';
  } catch {
    return false;
  }
}
