/**
 * The `edgeway` system: one `edgeway serve` process (`--workers 1` unless a scenario asks for more) with a generated
 * config, its access log (JSON on stdout, on by default) sent to /dev/null so logging cost is still paid. Ready when
 * the admin `/readyz` answers 200. Also used by the routing-scale scenarios with larger host tables.
 */

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../free-port.ts';
import type { RunningTarget, Scenario, StartContext } from '../scenario.ts';
import { BENCH_HOST, BODY_SIZES } from '../scenario.ts';
import { get, waitForStatus } from '../wait-http.ts';
import { edgewayConfig, type EdgewayConfigInput } from './edgeway-config.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EDGEWAY_CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const PROFILE_DIR = join(ROOT, 'perf', 'profiles');
/** Large host tables take a while to load and compile on a shared core. */
const READY_TIMEOUT_MS = 60_000;

export interface EdgewayStart {
  /** Hosts in the generated config. */
  readonly hosts: readonly string[];
  /** The host the load is sent to. */
  readonly loadHost: string;
  /** More documents for the config (address scenarios: a settings document and a LoadBalancer Service). */
  readonly extraDocs?: readonly object[];
  /** Send the load here instead of the HTTP entrypoint (a LoadBalancer IP and port). */
  readonly target?: { readonly host: string; readonly port: number };
  /** Terminate TLS with this pair on an HTTPS entrypoint, and load that instead of HTTP. */
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
  /** Extra endpoints, annotations and settings (the balancing scenarios). */
  readonly config?: Pick<EdgewayConfigInput, 'extraPorts' | 'serviceAnnotations' | 'settings'>;
  /** The whole configuration text instead of the generated one (reload scenarios); `hosts` is then unused. */
  readonly yaml?: string;
  readonly ingressAnnotations?: Readonly<Record<string, string>>;
  /** `--workers N` (the workers comparison); one without it (workersArgs). */
  readonly workers?: number;
}

/** Whether each build's `serve` takes `--workers`, by CLI path (ab-pair compares two builds). */
const workersFlag = new Map<string, Promise<boolean>>();

/**
 * Whether this build's `edgeway serve` takes `--workers` (its usage says so). Builds without it serve from one
 * process: one worker is then what they run without the flag, and more cannot be asked for.
 */
export function edgewayTakesWorkers(cli: string = EDGEWAY_CLI): Promise<boolean> {
  let known = workersFlag.get(cli);
  if (known === undefined) {
    known = new Promise((resolve) => {
      execFile(process.execPath, [cli, 'serve', '--help'], { timeout: 10_000 }, (_err, stdout, stderr) => {
        resolve(`${stdout}${stderr}`.includes('--workers'));
      });
    });
    workersFlag.set(cli, known);
  }
  return known;
}

/**
 * The `--workers` arguments for `workers`, one when not asked: the CLI's own default is one worker per CPU, and
 * every system but the workers comparison is measured against nginx with one worker. A build without the flag runs
 * one worker as is, and cannot be asked for more.
 */
export async function workersArgs(workers: number | undefined, cli: string = EDGEWAY_CLI): Promise<string[]> {
  const count = workers ?? 1;
  if (await edgewayTakesWorkers(cli)) return ['--workers', String(count)];
  if (count === 1) return [];
  throw new Error(`edgeway serve in ${cli} has no --workers flag; it cannot run ${count} workers`);
}

export async function edgewayAvailability(): Promise<string | null> {
  return existsSync(EDGEWAY_CLI) ? null : `${EDGEWAY_CLI} does not exist; run npm run build first`;
}

export async function startEdgeway(ctx: StartContext, start: EdgewayStart): Promise<RunningTarget & { readonly adminUrl: string }> {
  const [httpPort, adminPort] = [await freePort(), await freePort()];
  const httpsPort = start.tls === undefined ? 0 : await freePort();
  const config = join(ctx.workDir, 'edgeway.yaml');
  const stateDir = join(ctx.workDir, 'state');
  await mkdir(stateDir, { recursive: true });
  if (start.tls !== undefined) {
    // The fallback default certificate edgeway would otherwise generate (an RSA key per start) in its working dir.
    await mkdir(join(ctx.workDir, 'certs'), { recursive: true });
    await writeFile(join(ctx.workDir, 'certs', 'default.crt'), start.tls.certPem);
    await writeFile(join(ctx.workDir, 'certs', 'default.key'), start.tls.keyPem, { mode: 0o600 });
  }
  await writeFile(
    config,
    start.yaml ??
      edgewayConfig({
        backendPort: ctx.backendPort,
        hosts: start.hosts,
        ...(start.extraDocs === undefined ? {} : { extraDocs: start.extraDocs }),
        ...(start.tls === undefined ? {} : { tls: start.tls }),
        ...start.config,
        ...(start.ingressAnnotations === undefined ? {} : { ingressAnnotations: start.ingressAnnotations }),
      }),
  );
  const nodeArgs = ctx.options.profile ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [];
  if (ctx.options.profile) await mkdir(PROFILE_DIR, { recursive: true });
  const args = [
    ...nodeArgs,
    EDGEWAY_CLI,
    'serve',
    '--config',
    config,
    '--http',
    `127.0.0.1:${httpPort}`,
    ...(start.tls === undefined ? [] : ['--https', `127.0.0.1:${httpsPort}`]),
    '--admin',
    `127.0.0.1:${adminPort}`,
    '--state-dir',
    stateDir,
    ...(await workersArgs(start.workers)),
    // The load has ended when we stop it; don't let a lingering keep-alive socket hold the restart for 30 s.
    '--drain-timeout',
    '1',
  ];
  const started = performance.now();
  const child = ctx.procs.start('edgeway', process.execPath, args, { stdout: 'ignore', cwd: ctx.workDir });
  const admin = `http://127.0.0.1:${adminPort}`;
  try {
    await waitForStatus(`${admin}/readyz`, 200, READY_TIMEOUT_MS, child);
  } catch (err) {
    await child.stop();
    throw err;
  }
  const facts: Record<string, number | string> = { readyMs: Math.round(performance.now() - started) };
  const compileMs = findNumber(parseJson((await get(`${admin}/config/status`)).body), 'compileMs');
  if (compileMs !== undefined) facts['compileMs'] = compileMs;
  // Longer grace than the default: with --cpu-prof the profile is written on the way out.
  const url =
    start.tls !== undefined
      ? `https://127.0.0.1:${httpsPort}/`
      : start.target === undefined
        ? `http://127.0.0.1:${httpPort}/`
        : `http://${start.target.host}:${start.target.port}/`;
  return { url, host: start.loadHost, servername: start.loadHost, facts, adminUrl: admin, pid: child.process.pid, stop: () => child.stop(10_000) };
}

export const edgewayScenario: Scenario = {
  name: 'edgeway',
  group: 'proxy',
  bodySizes: BODY_SIZES,
  availability: edgewayAvailability,
  start: (ctx) => startEdgeway(ctx, { hosts: [BENCH_HOST], loadHost: BENCH_HOST }),
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The first numeric field called `key` anywhere in a JSON value (the status document's shape is the admin's). */
export function findNumber(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const direct = record[key];
  if (typeof direct === 'number') return direct;
  for (const child of Object.values(record)) {
    const found = findNumber(child, key);
    if (found !== undefined) return found;
  }
  return undefined;
}
