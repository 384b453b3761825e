/**
 * The list bar of the Kubernetes-compatible API: `kubectl get svc -A` over 10,000 Services answers in under 1 s.
 * edgeway starts with a `kind: List` of N Services in its configuration (systems/service-list.ts; headless unless
 * --cluster-ips, since a ClusterIP is a listener and so an open file), then the real kubectl runs `get svc -A`
 * --runs times (wall time of the whole command: process start, discovery from its cache, the request, printing), and
 * the Table request kubectl makes is timed on its own (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, and the
 * plain JSON list beside it), over a kept-alive HTTPS connection. The first kubectl run fills kubectl's discovery
 * cache and is reported apart, as a user's first command after `edgeway kubeconfig`.
 *
 * Usage: node perf/tools/api-list.ts [--cli dist/cli/main.js] [--services 10000] [--runs 5] [--cluster-ips]
 *   [--cpu-prof DIR] (profiles edgeway; summarise with perf/tools/profile-top.ts). Build first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFile } from 'node:child_process';
import { adminAgent, adminRequest, run, startApiEdgeway } from '../api-edgeway.ts';
import { ChildProcesses } from '../child-processes.ts';
import { startBackend } from '../node-child.ts';
import { median } from '../stats.ts';
import { serviceList } from '../systems/service-list.ts';

const { values } = parseArgs({
  options: {
    cli: { type: 'string', default: 'dist/cli/main.js' },
    services: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
    'cluster-ips': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});
const services = Number(values.services);
const runs = Number(values.runs);
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

const procs = new ChildProcesses();
const dir = await mkdtemp(join(tmpdir(), 'edgeway-api-list-'));
// Everything below stops by itself well within a few minutes; this is the backstop.
const guard = setTimeout(() => {
  process.stderr.write('api-list: gave up after 5 minutes\n');
  void procs.stopAll().then(() => process.exit(1));
}, 300_000);
try {
  const backend = await startBackend(procs, 11);
  const profile = values['cpu-prof'];
  const nodeArgs = profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`];
  const started = performance.now();
  const edgeway = await startApiEdgeway(procs, 'edgeway', {
    cli: values.cli,
    dir,
    backendPort: backend.port,
    extra: serviceList(services, 0, !values['cluster-ips']),
    nodeArgs,
    readyMs: 180_000,
  });
  process.stdout.write(
    `edgeway ready with ${services} Services (${values['cluster-ips'] ? 'ClusterIP' : 'headless'}) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );

  const kubectl = ['--kubeconfig', edgeway.kubeconfig, '--cache-dir', join(dir, 'kube-cache'), 'get', 'svc', '-A'];
  const timeKubectl = async (): Promise<{ ms: number; lines: number }> => {
    const t0 = performance.now();
    const out = await run('kubectl', kubectl);
    return { ms: performance.now() - t0, lines: out.split('\n').length - 2 };
  };
  const first = await timeKubectl();
  process.stdout.write(`kubectl get svc -A, first run (discovery not cached): ${first.ms.toFixed(0)} ms, ${first.lines} rows\n`);
  const kubectlMs: number[] = [];
  for (let i = 0; i < runs; i++) kubectlMs.push((await timeKubectl()).ms);
  // kubectl lists in pages of --chunk-size (500) and paces its own requests (5 a second after a burst of 10):
  // count the pages and the waits it reports, then time it asking for everything in one request.
  const verbose = await runAll('kubectl', [...kubectl, '-v=6']);
  const pages = verbose.split('\n').filter((l) => l.includes('/api/v1/services?') && l.includes(' 200 OK')).length;
  const waits = verbose.split('\n').filter((l) => l.includes('client-side throttling')).length;
  const oneRequest = [...kubectl, '--chunk-size=0'];
  const wholeMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run('kubectl', oneRequest);
    wholeMs.push(performance.now() - t0);
  }

  const url = `${edgeway.admin}/api/v1/services`;
  const timeRaw = async (accept: string): Promise<{ ms: number; bytes: number }> => {
    const t0 = performance.now();
    const a = await adminRequest(url, 'GET', { accept });
    if (a.status !== 200) throw new Error(`GET ${url}: ${a.status} ${a.body.slice(0, 200)}`);
    return { ms: performance.now() - t0, bytes: Buffer.byteLength(a.body) };
  };
  await timeRaw(TABLE); // opens the kept-alive connection
  const tableMs: number[] = [];
  let tableBytes = 0;
  for (let i = 0; i < runs; i++) {
    const r = await timeRaw(TABLE);
    tableMs.push(r.ms);
    tableBytes = r.bytes;
  }
  const jsonMs: number[] = [];
  let jsonBytes = 0;
  for (let i = 0; i < runs; i++) {
    const r = await timeRaw('application/json');
    jsonMs.push(r.ms);
    jsonBytes = r.bytes;
  }
  adminAgent.destroy();

  const line = (name: string, ms: readonly number[], extra: string): string => {
    if (ms.length === 0) return `| ${name} | | | |\n`;
    const sorted = [...ms].sort((x, y) => x - y);
    return `| ${name} | ${median(ms).toFixed(0)} | ${sorted[0]!.toFixed(0)}–${sorted[sorted.length - 1]!.toFixed(0)} | ${extra} |\n`;
  };
  process.stdout.write(`\n| what (${services} Services, ${runs} runs) | median ms | min–max ms | |\n|---|---:|---:|---|\n`);
  process.stdout.write(line('`kubectl get svc -A` (wall time)', kubectlMs, `${first.lines} rows`));
  process.stdout.write(line(`\`kubectl get svc -A\`: ${pages} pages, ${waits} waits for kubectl's own rate limit`, [], ''));
  process.stdout.write(line('`kubectl get svc -A --chunk-size=0` (wall time)', wholeMs, 'one request'));
  process.stdout.write(line('GET /api/v1/services as Table', tableMs, `${(tableBytes / 1e6).toFixed(1)} MB`));
  process.stdout.write(line('GET /api/v1/services as JSON', jsonMs, `${(jsonBytes / 1e6).toFixed(1)} MB`));
  process.stdout.write(median(kubectlMs) < 1000 ? 'bar met: kubectl get svc -A under 1 s\n' : 'bar missed: kubectl get svc -A takes 1 s or more\n');
} finally {
  clearTimeout(guard);
  await procs.stopAll();
  await rm(dir, { recursive: true, force: true });
}

/** stdout and stderr of a command together (kubectl -v writes its request log to stderr). */
function runAll(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => (err === null ? resolve(stdout + stderr) : reject(err)));
  });
}
