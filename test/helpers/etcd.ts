/**
 * A real etcd for tests: one member on loopback, client and peer URLs on ports the OS picked, a temporary data dir,
 * stopped and removed in teardown. It can be stopped and started again on the same data dir and URLs, so tests can
 * check that what was stored survives a restart. A fake would not show how revisions and transactions really behave.
 *
 * The binary is Debian's `etcd-server` package, which `.ci/run` installs; when it is missing the test fails saying so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { etcdArgs, etcdHealthy } from '../../perf/etcd-process.ts';
import { unusedPort, waitFor } from './servers.ts';

export interface EtcdServer {
  /** The client URL, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  readonly dataDir: string;
  /** Stops the member (SIGTERM, then waits for exit); the data dir stays. */
  stop(): Promise<void>;
  /** Starts it again on the same data dir and URLs and waits until it answers. */
  start(): Promise<void>;
}

const MISSING = 'the etcd binary was not found on PATH; .ci/run installs it (apt-get install etcd-server)';

/** Starts etcd and waits until its /health answers; teardown stops it and removes the data dir. */
export async function startEtcd(t: ExecutionContext, timeoutMs = 20_000): Promise<EtcdServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'edgeway-etcd-'));
  const clientUrl = `http://127.0.0.1:${await unusedPort()}`;
  const peerUrl = `http://127.0.0.1:${await unusedPort()}`;
  const args = etcdArgs('edgeway-test', dataDir, clientUrl, peerUrl);
  let child: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    const proc = spawn('etcd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let failure: Error | undefined;
    proc.on('error', (error: NodeJS.ErrnoException) => {
      failure = error.code === 'ENOENT' ? new Error(MISSING) : error;
    });
    proc.on('exit', (code, signal) => {
      failure ??= new Error(`etcd exited (${code ?? signal}) before it answered:\n${output.slice(-2000)}`);
    });
    proc.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitFor(
      async () => {
        if (failure !== undefined) throw failure;
        return etcdHealthy(clientUrl);
      },
      timeoutMs,
      `etcd to answer on ${clientUrl}`,
    );
    // Exiting later (e.g. killed by stop) is no longer a start failure.
    failure = undefined;
  }

  async function stop(): Promise<void> {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    // etcd's graceful stop waits for open gRPC streams; a client a test has just cut off may hold one for long.
    const kill = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(kill);
  }

  t.teardown(async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  await start();
  return { endpoint: clientUrl, dataDir, stop, start };
}
