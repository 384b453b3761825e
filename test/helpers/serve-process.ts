/**
 * The real bin (`edgeway serve ...`) as a child process: spawned with the given arguments, its output kept, its HTTP
 * and admin ports read from the line it prints once serving, killed in teardown if the test did not stop it. Run
 * `npx tsc -p tsconfig.build.json` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { waitFor } from './servers.ts';

export const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly httpPort: number;
  readonly adminPort: number;
  /** Everything written to stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<number | null>;
}

const SERVING = /http 127\.0\.0\.1:(\d+).*admin 127\.0\.0\.1:(\d+)/;

/** `edgeway serve` with `args` (which must put --http and --admin on 127.0.0.1); resolves once it serves. */
export async function startServeProcess(
  t: ExecutionContext,
  args: readonly string[],
  options: { readonly what?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<ServeProcess> {
  const what = options.what ?? 'edgeway';
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await waitFor(() => SERVING.test(err) || child.exitCode !== null, 30_000, `${what} to start`);
  const [, http, admin] = SERVING.exec(err) ?? [];
  if (http === undefined || admin === undefined) throw new Error(`${what} did not start: ${err}`);
  return { child, httpPort: Number(http), adminPort: Number(admin), stdout: () => out, stderr: () => err, exited };
}
