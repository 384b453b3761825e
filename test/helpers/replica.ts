/**
 * edgeway replicas sharing state in a real etcd: the built bin (`edgeway serve --etcd-servers ... --replica-name
 * NAME --workers 1`) as a child process per replica, each with its own config file and state dir, OS-chosen ports
 * and a demo admin token so the API takes writes. Killed in teardown if a test did not stop it. Run
 * `npx tsc -p tsconfig.build.json` first.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { tempDir } from './edgeway.ts';
import { httpGet, type Reply } from './http.ts';
import { startServeProcess } from './serve-process.ts';

export const REPLICA_TOKEN = 'replica-token-0123456789abcdef';

export interface Replica {
  readonly name: string;
  readonly dir: string;
  readonly file: string;
  readonly url: string;
  readonly adminUrl: string;
  child: ChildProcess;
  stderr(): string;
  /** A request to the object API with the token; JSON bodies. */
  api(method: string, path: string, body?: unknown): Promise<Reply>;
  status(): Promise<Record<string, unknown>>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** Starts the replica again on the same config, state dir and ports. */
  restart(): Promise<void>;
}

export interface ReplicaOptions {
  readonly name: string;
  readonly etcd: string;
  /** The manifests of this replica's own files (a settings document is added). */
  readonly yaml: string;
  /** Extra settings lines (YAML under spec). */
  readonly spec?: string;
  readonly prefix?: string;
  /** Data-plane workers (default 1: the primary serves by itself). */
  readonly workers?: number;
}

export async function startReplica(t: ExecutionContext, o: ReplicaOptions): Promise<Replica> {
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  const settings = `apiVersion: edgeway.io/v1alpha1
kind: EdgewaySettings
metadata: {name: edgeway}
spec:
  reload: {watch: false}
  admin: {token: ${REPLICA_TOKEN}}
${(o.spec ?? '').replace(/^/gm, '  ')}
`;
  await writeFile(file, `${settings}---\n${o.yaml}`);
  let ports: { http: number; admin: number } | null = null;
  let stderr = (): string => '';
  const replica: Replica = {
    name: o.name,
    dir,
    file,
    url: '',
    adminUrl: '',
    child: undefined as unknown as ChildProcess,
    stderr: () => stderr(),
    api: (method, path, body) =>
      httpGet(
        `${replica.adminUrl}${path}`,
        { authorization: `Bearer ${REPLICA_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        method,
        body === undefined ? undefined : JSON.stringify(body),
      ),
    status: async () => JSON.parse((await httpGet(`${replica.adminUrl}/config/status`)).text) as Record<string, unknown>,
    kill: async () => {
      const c = replica.child;
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = once(c, 'exit');
      c.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      const c = replica.child;
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = once(c, 'exit');
      c.kill('SIGTERM');
      await exited;
    },
    restart: () => launch(),
  };
  async function launch(): Promise<void> {
    const served = await startServeProcess(
      t,
      [
        '--workers',
        String(o.workers ?? 1),
        '--config',
        file,
        '--http',
        `127.0.0.1:${ports?.http ?? 0}`,
        '--admin',
        `127.0.0.1:${ports?.admin ?? 0}`,
        '--state-dir',
        join(dir, 'state'),
        '--etcd-servers',
        o.etcd,
        '--etcd-prefix',
        o.prefix ?? '/edgeway',
        '--replica-name',
        o.name,
      ],
      { what: `replica ${o.name}` },
    );
    replica.child = served.child;
    stderr = served.stderr;
    ports = { http: served.httpPort, admin: served.adminPort };
    Object.assign(replica, { url: `http://127.0.0.1:${served.httpPort}`, adminUrl: `http://127.0.0.1:${served.adminPort}` });
  }
  t.teardown(() => replica.kill());
  await launch();
  return replica;
}
