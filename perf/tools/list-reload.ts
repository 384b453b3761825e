/**
 * Does a reload of one huge valid document fail requests on a route it does not change? edgeway serves one bench host
 * from one file and a `kind: List` of N Services (the shape `kubectl get -o yaml` writes; default 20,000, about 5 MB)
 * from another; a bounded autocannon load (a fixed request rate over a few connections) runs on the bench host while
 * the List is rewritten (every Service's labels change) and POST /reload runs. Each response is recorded with its
 * time, so the figures are split into before, during and after the reload: requests, failures (non-2xx and errors,
 * with 503s counted apart: those are load shedding) and latency percentiles. The bar is zero failed requests.
 *
 * The Services are headless (`clusterIP: None`) unless --cluster-ips is given: edgeway binds a listener per ClusterIP,
 * and 20,000 of them exceed a 20,000 open-file limit. Parsing and loading, the cost in question, are the same.
 *
 * Usage: node perf/tools/list-reload.ts [--cli dist/cli/main.js] [--services 20000] [--rate 400] [--connections 8]
 *   [--cluster-ips]. Build first (npx tsc -p tsconfig.build.json); --cli may name another build to compare.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { ChildProcesses } from '../child-processes.ts';
import { startEdgewayProcess } from '../edgeway-process.ts';
import { startBackend } from '../node-child.ts';
import { edgewayConfig } from '../systems/edgeway-config.ts';
import { serviceList } from '../systems/service-list.ts';

const HOST = 'bench.local';
const { values } = parseArgs({
  options: {
    cli: { type: 'string', default: 'dist/cli/main.js' },
    services: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '400' },
    connections: { type: 'string', default: '8' },
    'cluster-ips': { type: 'boolean', default: false },
  },
});
const services = Number(values.services);
const headless = !values['cluster-ips'];
/** Steady load before and after the reload, in seconds. */
const SETTLE_S = 3;

interface Sample {
  readonly at: number;
  readonly status: number;
  readonly ms: number;
}

const procs = new ChildProcesses();
const dir = await mkdtemp(join(tmpdir(), 'edgeway-list-reload-'));
try {
  const backend = await startBackend(procs, 11);
  const configDir = join(dir, 'config');
  await mkdir(configDir);
  await writeFile(join(configDir, 'edgeway.yaml'), edgewayConfig({ backendPort: backend.port, hosts: [HOST] }));
  const listFile = join(configDir, 'services.yaml');
  await writeFile(listFile, serviceList(services, 0, headless));
  const edgeway = await startEdgewayProcess(procs, 'edgeway', values.cli, configDir, join(dir, 'state'), { readyMs: 300_000 });
  const admin = edgeway.adminPort;

  const samples: Sample[] = [];
  let errors = 0;
  const load = autocannon(
    {
      url: edgeway.url,
      headers: { host: HOST },
      connections: Number(values.connections),
      overallRate: Number(values.rate),
      duration: 3600,
      timeout: 30,
    },
    () => undefined,
  );
  load.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    samples.push({ at: performance.now(), status: statusCode, ms: responseTime });
  });
  load.on('reqError', () => errors++);
  const errorsAt = (): number => errors;

  await settle();
  const before = { until: performance.now(), errors: errorsAt() };
  await writeFile(listFile, serviceList(services, 1, headless));
  const reload = await postReload(`http://127.0.0.1:${admin}/reload`);
  const during = { until: performance.now(), errors: errorsAt() };
  await settle();
  const after = { until: performance.now(), errors: errorsAt() };
  load.stop();

  const outcome = reload.status === 200 ? 'ok' : `status ${reload.status}: ${reload.body.slice(0, 200)}`;
  process.stdout.write(
    `reload of a ${services}-Service List (${(serviceList(services, 1, headless).length / 1e6).toFixed(1)} MB): ${outcome}, ${((during.until - before.until) / 1000).toFixed(1)} s\n`,
  );
  process.stdout.write(
    `${'window'.padEnd(8)}${'requests'.padStart(10)}${'failed'.padStart(8)}${'503'.padStart(6)}${'errors'.padStart(8)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}\n`,
  );
  const row = (name: string, from: number, until: number, errs: number): number => {
    const window = samples.filter((s) => s.at > from && s.at <= until);
    const ms = window.map((s) => s.ms).sort((a, b) => a - b);
    const pct = (p: number): string => (ms.length === 0 ? '-' : ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))]!.toFixed(1));
    const non2xx = window.filter((s) => s.status < 200 || s.status > 299).length;
    const shed = window.filter((s) => s.status === 503).length;
    process.stdout.write(
      `${name.padEnd(8)}${String(window.length).padStart(10)}${String(non2xx + errs).padStart(8)}${String(shed).padStart(6)}${String(errs).padStart(8)}${pct(50).padStart(9)}${pct(99).padStart(9)}${pct(100).padStart(9)}\n`,
    );
    return non2xx + errs;
  };
  // A response is counted in the window it arrived in: one held up by the reload arrives during or just after it.
  const failed =
    row('before', 0, before.until, before.errors) +
    row('during', before.until, during.until, during.errors - before.errors) +
    row('after', during.until, after.until, after.errors - during.errors);
  process.stdout.write(failed === 0 ? 'bar met: no failed requests\n' : `bar missed: ${failed} failed requests\n`);
} finally {
  await procs.stopAll();
  await rm(dir, { recursive: true, force: true });
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_S * 1000));
}

/** POST /reload, waiting as long as the reload takes (wait-http.ts's post gives up after 30 s). */
function postReload(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}
