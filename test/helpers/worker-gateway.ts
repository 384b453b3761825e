/**
 * The real bin with data-plane workers (`edgeway serve --workers N`) on a config in a temp dir, OS-chosen ports,
 * stdout kept as JSON lines; killed in teardown if a test did not stop it. Run `npx tsc -p tsconfig.build.json` first.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { tempDir } from './edgeway.ts';
import { httpGet } from './http.ts';
import { startServeProcess } from './serve-process.ts';

export interface WorkerGateway {
  readonly child: ChildProcess;
  readonly file: string;
  readonly port: number;
  /** The HTTPS entrypoint's port when `options.args` asked for one (`--https 127.0.0.1:0`), else null. */
  readonly httpsPort: number | null;
  readonly url: string;
  readonly adminUrl: string;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Every complete stdout line, parsed (a line that is not JSON throws: lines must never interleave). */
  lines(): Record<string, unknown>[];
  /** The workers as /config/status lists them. */
  workers(): Promise<readonly { readonly id: number; readonly pid: number; readonly generation: number }[]>;
  status(): Promise<{ readonly generation: number }>;
  readonly exited: Promise<number | null>;
}

export interface WorkerGatewayOptions {
  /** More `edgeway serve` arguments (`--https 127.0.0.1:0`). */
  readonly args?: readonly string[];
  /** More environment for the primary, which its workers inherit (NODE_OPTIONS). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startWorkerGateway(t: ExecutionContext, yaml: string, workers: number, options: WorkerGatewayOptions = {}): Promise<WorkerGateway> {
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  await writeFile(file, yaml);
  const served = await startServeProcess(
    t,
    [
      '--workers',
      String(workers),
      '--config',
      file,
      '--http',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      '--state-dir',
      join(dir, 'state'),
      ...(options.args ?? []),
    ],
    { ...(options.env === undefined ? {} : { env: options.env }) },
  );
  const { child, exited } = served;
  const http = served.httpPort;
  const admin = served.adminPort;
  const https = /https 127\.0\.0\.1:(\d+)/.exec(served.stderr())?.[1];
  const adminUrl = `http://127.0.0.1:${admin}`;
  const status = async () =>
    JSON.parse((await httpGet(`${adminUrl}/config/status`)).text) as { generation: number; workers: { id: number; pid: number; generation: number }[] };
  return {
    child,
    file,
    port: Number(http),
    httpsPort: https === undefined ? null : Number(https),
    url: `http://127.0.0.1:${http}`,
    adminUrl,
    stdout: served.stdout,
    lines: () =>
      served
        .stdout()
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    workers: async () => (await status()).workers,
    status,
    exited,
  };
}

/** The access lines in stdout, with the worker that wrote each. */
export function accessLines(gw: WorkerGateway): { readonly worker: number; readonly path: string; readonly status: number; readonly host: string }[] {
  return gw.lines().filter((l) => l.log === 'access') as never;
}
