/**
 * Starts one `edgeway serve` for the API perf tools (api-list, api-watch-latency, api-watch-cost): the bench's
 * configuration (one bench host, one backend) in a config directory, more documents in a second file, an admin
 * token so the API takes writes, and a kubeconfig written by `edgeway kubeconfig` itself, so kubectl connects as a
 * user's would. Also the small HTTPS client the tools share for the admin API (loopback, the admin CA not checked).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import type { ChildProcesses, ManagedChild } from './child-processes.ts';
import { startEdgewayProcess } from './edgeway-process.ts';
import { edgewayConfig } from './systems/edgeway-config.ts';

export const BENCH_HOST = 'bench.local';
export const ADMIN_TOKEN = 'perf-admin-token';

export interface ApiEdgeway {
  readonly child: ManagedChild;
  /** The proxy's URL (send `host: BENCH_HOST`). */
  readonly url: string;
  /** `https://127.0.0.1:PORT` of the admin API. */
  readonly admin: string;
  readonly kubeconfig: string;
}

export interface ApiEdgewayInput {
  readonly cli: string;
  readonly dir: string;
  readonly backendPort: number;
  /** A YAML file's text beside the bench configuration (for example a List of Services); none when empty. */
  readonly extra?: string;
  readonly nodeArgs?: readonly string[];
  /** How long start-up may take (parsing ten thousand objects takes a while on a shared machine). */
  readonly readyMs?: number;
}

export async function startApiEdgeway(procs: ChildProcesses, name: string, input: ApiEdgewayInput): Promise<ApiEdgeway> {
  const configDir = join(input.dir, 'config');
  const stateDir = join(input.dir, 'state');
  await mkdir(configDir, { recursive: true });
  await writeFile(
    join(configDir, 'edgeway.yaml'),
    edgewayConfig({ backendPort: input.backendPort, hosts: [BENCH_HOST], settings: { admin: { token: ADMIN_TOKEN } } }),
  );
  if (input.extra !== undefined && input.extra !== '') await writeFile(join(configDir, 'extra.yaml'), input.extra);
  const {
    url,
    adminPort: admin,
    child,
  } = await startEdgewayProcess(procs, name, input.cli, configDir, stateDir, {
    ...(input.nodeArgs === undefined ? {} : { nodeArgs: input.nodeArgs }),
    ...(input.readyMs === undefined ? {} : { readyMs: input.readyMs }),
  });
  const kubeconfig = join(input.dir, 'kubeconfig');
  const text = await run(process.execPath, [input.cli, 'kubeconfig', '--config', configDir, '--state-dir', stateDir, '--admin', `127.0.0.1:${admin}`]);
  await writeFile(kubeconfig, text);
  return { child, url, admin: `https://127.0.0.1:${admin}`, kubeconfig };
}

/** Runs a command to its end; its stdout, or a rejection with its stderr. Bounded: two minutes. */
export function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err === null ? resolve(stdout) : reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`)),
    );
  });
}

/** Keep-alive connections to the admin API, as kubectl and client-go keep them. */
export const adminAgent = new Agent({ keepAlive: true, rejectUnauthorized: false });

export interface AdminAnswer {
  readonly status: number;
  readonly body: string;
}

/** One request to the admin API with the admin token; never throws (status 0 on a transport error). */
export function adminRequest(url: string, method: string, headers: Record<string, string>, body?: string): Promise<AdminAnswer> {
  return new Promise((resolve) => {
    const req = request(url, { method, agent: adminAgent, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.setTimeout(60_000, () => req.destroy());
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end(body);
  });
}
