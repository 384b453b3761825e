/**
 * The two bars of replicas sharing state in etcd: a route applied on one replica is served by another within 1 s
 * (p99), and 1,000 LoadBalancer Services created at once through three replicas get 1,000 distinct addresses.
 *
 * Starts a real etcd on loopback, one backend and three replicas (the built bin, `--workers 1`), whose HTTP
 * entrypoints and admin listeners are on 127.0.0.2, 127.0.0.3 and 127.0.0.4, with a default IngressClass and a /21
 * MetalLB pool in their files. Then:
 *
 * 1. Propagation: --applies times, the real kubectl applies a new Ingress (its own host) through replica A's API
 *    (a kubeconfig from `edgeway kubeconfig`: https to A's admin port, the admin token), then this side asks replica B's entrypoint for that host every ~2 ms until B
 *    answers 200 from the backend (at most 5 s). Two latencies per apply: from kubectl's return, and from before
 *    kubectl started (which includes kubectl's own start, about 100 ms).
 * 2. Allocation: --services LoadBalancer Services POSTed at once through the three replicas' APIs (--concurrency
 *    requests in flight per replica), then every replica's list is polled until each has all of them with an address:
 *    the wall time, creations per second, distinct addresses, and whether the replicas agree on every address. A
 *    503 (etcd deemed unreachable: nothing stored) is counted and retried, as a client would, for at most 30 s.
 *
 * Beside the figures it prints where the time went: each replica's reloads in each phase (from the `configuration
 * reloaded` lines of its log) and etcd's mean WAL fsync and backend commit times (from its /metrics).
 *
 * Every process is started fresh for the run and stopped at its end; the whole run is capped (--cap-s).
 *
 * Usage: npx tsc -p tsconfig.build.json && node perf/tools/replica-propagation.ts [--cli dist/cli/main.js]
 *   [--applies 100] [--services 1000] [--concurrency 30] [--cap-s 900] [--keep]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ChildProcesses } from '../child-processes.ts';
import { startEtcdProcess } from '../etcd-process.ts';
import { freePort } from '../free-port.ts';
import { startBackend } from '../node-child.ts';
import { reloadLines, summarizeReloads, type ReloadLine } from '../replica-log.ts';
import { apiAgent, replicaApi, startReplicaProcess, type ReplicaProcess } from '../replica-process.ts';

const { values } = parseArgs({
  options: {
    cli: { type: 'string', default: 'dist/cli/main.js' },
    applies: { type: 'string', default: '100' },
    services: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '30' },
    'cap-s': { type: 'string', default: '900' },
    keep: { type: 'boolean', default: false },
  },
});
const applies = Number(values.applies);
const services = Number(values.services);
const concurrency = Number(values.concurrency);
const ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4'] as const;
/** 2,048 addresses: room for every Service with no pressure on the allocator's search. */
const POOL = '127.233.8.0/21';
const POLL_MS = 2;
const SERVE_CAP_MS = 5000;
const ALLOCATION_CAP_MS = 180_000;
/** A 503 means nothing was stored; a client tries again, as this one does, for at most this long per Service. */
const RETRY_CAP_MS = 30_000;
const RETRY_PAUSE_MS = 250;

const procs = new ChildProcesses();
const dir = await mkdtemp(join(tmpdir(), 'edgeway-replicas-'));
const guard = setTimeout(() => {
  process.stderr.write(`replica-propagation: gave up after ${values['cap-s']} s\n`);
  void procs.stopAll().then(() => process.exit(1));
}, Number(values['cap-s']) * 1000);
try {
  const cli = resolve(values.cli);
  const etcd = await startEtcdProcess(procs, join(dir, 'etcd'));
  const backend = await startBackend(procs, 11);
  const [httpPort, adminPort] = [await freePort(), await freePort()];
  const replicas: ReplicaProcess[] = [];
  for (const [i, address] of ADDRESSES.entries()) {
    const name = `replica-${String.fromCharCode(97 + i)}`;
    replicas.push(
      await startReplicaProcess(procs, {
        cli,
        name,
        address,
        httpPort,
        adminPort,
        etcd: etcd.endpoint,
        dir: join(dir, name),
        backendPort: backend.port,
        pool: POOL,
      }),
    );
  }
  const [a, b] = replicas as [ReplicaProcess, ReplicaProcess, ReplicaProcess];
  process.stdout.write(`etcd ${etcd.endpoint}; replicas on ${ADDRESSES.join(', ')} (http :${httpPort}, admin :${adminPort})\n`);

  // --- 1. Propagation: kubectl apply on A, served by B.
  // kubectl sends its token only over TLS: the kubeconfig edgeway writes names A's admin port as https with its CA.
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, await run(process.execPath, [cli, 'kubeconfig', '--config', a.config, '--state-dir', a.stateDir, '--admin', a.adminAt]));
  const kubectl = (args: readonly string[], stdin?: string): Promise<string> =>
    run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kube-cache'), ...args], stdin);
  // Fills kubectl's discovery cache, so every measured apply starts as a user's second command would.
  await kubectl(['get', 'ingresses']);

  const probe = new Agent({ keepAlive: true, maxSockets: 1 });
  const propagationStart = Date.now();
  const fromReturn: number[] = [];
  const fromStart: number[] = [];
  for (let i = 0; i < applies; i++) {
    const host = `p${i}.replicas.perf`;
    const ingress = JSON.stringify({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: `p${i}`, namespace: 'default' },
      spec: { rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'backend', port: { number: 80 } } } }] } }] },
    });
    const started = performance.now();
    await kubectl(['apply', '-f', '-'], ingress);
    const returned = performance.now();
    const served = await servedAt(b.url, host, probe, returned + SERVE_CAP_MS);
    if (served === undefined) throw new Error(`${b.name} did not serve ${host} within ${SERVE_CAP_MS} ms of the apply`);
    fromReturn.push(served - returned);
    fromStart.push(served - started);
  }
  probe.destroy();
  process.stdout.write(`\n| ${applies} applies on ${a.name}, served by ${b.name} | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|\n`);
  for (const [label, ms] of [
    ['apply returned → B serves', fromReturn],
    ['apply started → B serves', fromStart],
  ] as const) {
    process.stdout.write(`| ${label} | ${pct(ms, 50)} | ${pct(ms, 90)} | ${pct(ms, 99)} | ${pct(ms, 100)} |\n`);
  }
  const p99 = Number(pct(fromReturn, 99));
  process.stdout.write(p99 < 1000 ? 'bar met: p99 propagation under 1 s\n' : 'bar missed: p99 propagation of 1 s or more\n');

  const propagationEnd = Date.now();
  process.stdout.write(`${b.name}'s reloads during the applies: ${reloadsText(await readReloads(b), propagationStart, propagationEnd)}\n`);

  // --- 2. Allocation: Services created at once through the three replicas.
  const names = Array.from({ length: services }, (_, i) => `lb-${String(i).padStart(4, '0')}`);
  const allocationStart = Date.now();
  const allocStart = performance.now();
  const outcome = { created: 0, storedDespite503: 0, failed: [] as string[], unavailable: [] as { at: number; replica: string }[], answerMs: [] as number[] };
  await Promise.all(
    replicas.map(async (replica, r) => {
      const mine = names.filter((_, i) => i % replicas.length === r);
      let next = 0;
      const loop = async (): Promise<void> => {
        while (next < mine.length) await create(replica, mine[next++]!, outcome, allocStart);
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, mine.length) }, loop));
    }),
  );
  const answeredMs = performance.now() - allocStart;
  const expected = new Set(names.filter((n) => !outcome.failed.includes(n)));
  let seen: Map<string, string>[] = [];
  const deadline = Date.now() + ALLOCATION_CAP_MS;
  for (;;) {
    seen = await Promise.all(replicas.map(addresses));
    if (seen.every((m) => [...expected].every((n) => m.has(n)))) break;
    if (Date.now() > deadline) throw new Error(`not every replica listed ${expected.size} addresses: ${seen.map((m) => m.size).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const allocMs = performance.now() - allocStart;
  const allocationEnd = Date.now();
  const first = seen[0]!;
  const distinct = new Set(first.values()).size;
  const agree = seen.every((m) => m.size === first.size && [...first].every(([n, ip]) => m.get(n) === ip));
  const unavailable = outcome.unavailable;
  process.stdout.write(
    `\n| ${services} LoadBalancer Services through ${replicas.length} replicas (${concurrency} in flight each) | value |\n|---|---:|\n` +
      `| created (201, or 409 on a retry after a 503) | ${outcome.created} |\n` +
      `| answers 503 (etcd deemed unreachable), each retried | ${unavailable.length} |\n` +
      `| of which stored anyway (409 AlreadyExists on the retry) | ${outcome.storedDespite503} |\n` +
      `| not created after ${RETRY_CAP_MS / 1000} s of retries | ${outcome.failed.length} |\n` +
      `| creation answer p50 / p99 / max (ms) | ${pct(outcome.answerMs, 50)} / ${pct(outcome.answerMs, 99)} / ${pct(outcome.answerMs, 100)} |\n` +
      `| every creation answered (s) | ${(answeredMs / 1000).toFixed(1)} |\n` +
      `| every replica lists all with an address (s) | ${(allocMs / 1000).toFixed(1)} |\n` +
      `| creations per second (to all listed) | ${((expected.size * 1000) / allocMs).toFixed(1)} |\n` +
      `| distinct addresses | ${distinct} |\n` +
      `| duplicates | ${first.size - distinct} |\n` +
      `| all replicas agree on every address | ${agree ? 'yes' : 'no'} |\n`,
  );
  if (unavailable.length > 0) {
    const by = new Map<string, number>();
    for (const u of unavailable) by.set(u.replica, (by.get(u.replica) ?? 0) + 1);
    const at = unavailable.map((u) => u.at);
    process.stdout.write(
      `503s by replica: ${[...by].map(([n, c]) => `${n} ${c}`).join(', ')}; from ${(Math.min(...at) / 1000).toFixed(1)} s to ${(Math.max(...at) / 1000).toFixed(1)} s into the creations\n`,
    );
  }
  process.stdout.write(
    distinct === first.size && agree && outcome.created === services
      ? 'bar met: zero duplicate addresses\n'
      : distinct === first.size && agree
        ? `no duplicate among the ${first.size} created; bar not fully exercised: ${services - outcome.created} not created\n`
        : 'bar missed: duplicate or differing addresses\n',
  );
  for (const replica of replicas) {
    process.stdout.write(`${replica.name}'s reloads during the creations: ${reloadsText(await readReloads(replica), allocationStart, allocationEnd)}\n`);
  }
  process.stdout.write(`etcd: ${await etcdFacts(etcd.endpoint)}\n`);
} finally {
  clearTimeout(guard);
  apiAgent.destroy();
  await procs.stopAll();
  if (values.keep) process.stdout.write(`kept ${dir} (the replicas' logs and state)\n`);
  else await rm(dir, { recursive: true, force: true });
}

/** Asks `url` for `host` every ~2 ms until it answers 200; the time of that answer, or undefined at the deadline. */
async function servedAt(url: string, host: string, agent: Agent, deadline: number): Promise<number | undefined> {
  while (performance.now() < deadline) {
    const asked = performance.now();
    const status = await statusOf(url, host, agent);
    const at = performance.now();
    if (status === 200) return at;
    const wait = POLL_MS - (at - asked);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return undefined;
}

function statusOf(url: string, host: string, agent: Agent): Promise<number> {
  return new Promise((done) => {
    const req = request(url, { agent, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', () => done(0));
    });
    req.setTimeout(5000, () => req.destroy());
    req.on('error', () => done(0));
    req.end();
  });
}

function lbService(name: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { type: 'LoadBalancer', selector: { app: 'backend' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
}

interface ServiceList {
  readonly items: readonly {
    readonly metadata: { readonly name: string };
    readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip: string }[] } };
  }[];
}

/** name → LB address of the `lb-*` Services a replica lists (only those with one). */
async function addresses(replica: ReplicaProcess): Promise<Map<string, string>> {
  const answer = await replicaApi(replica, 'GET', '/api/v1/namespaces/default/services');
  const out = new Map<string, string>();
  if (answer.status !== 200) return out;
  for (const s of (JSON.parse(answer.body) as ServiceList).items) {
    const ip = s.status?.loadBalancer?.ingress?.[0]?.ip;
    if (ip !== undefined && s.metadata.name.startsWith('lb-')) out.set(s.metadata.name, ip);
  }
  return out;
}

/** One creation, retried while the replica answers 503 (etcd deemed unreachable: nothing was stored), up to RETRY_CAP_MS. */
async function create(replica: ReplicaProcess, name: string, outcome: CreationOutcome, start: number): Promise<void> {
  const giveUp = performance.now() + RETRY_CAP_MS;
  for (let retried = false; ; retried = true) {
    const sent = performance.now();
    const answer = await replicaApi(replica, 'POST', '/api/v1/namespaces/default/services', lbService(name));
    outcome.answerMs.push(performance.now() - sent);
    if (answer.status === 201 || (retried && answer.status === 409)) {
      outcome.created++;
      if (answer.status === 409) outcome.storedDespite503++;
      return;
    }
    if (answer.status !== 503 || performance.now() > giveUp) {
      outcome.failed.push(name);
      if (answer.status !== 503) process.stderr.write(`${name} via ${replica.name}: ${answer.status} ${answer.body.slice(0, 200)}\n`);
      return;
    }
    outcome.unavailable.push({ at: sent - start, replica: replica.name });
    await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
  }
}

interface CreationOutcome {
  created: number;
  storedDespite503: number;
  readonly failed: string[];
  readonly unavailable: { readonly at: number; readonly replica: string }[];
  readonly answerMs: number[];
}

async function readReloads(replica: ReplicaProcess): Promise<ReloadLine[]> {
  return reloadLines(await readFile(replica.log, 'utf8'));
}

function reloadsText(lines: readonly ReloadLine[], from: number, to: number): string {
  const s = summarizeReloads(lines, from, to);
  return `${s.reloads} reloads, wall ms p50 ${s.p50Ms} p99 ${s.p99Ms} max ${s.maxMs} (sum ${(s.totalMs / 1000).toFixed(1)} s), CPU ms p50 ${s.p50CpuMs}`;
}

/** etcd's own view of its disk: mean WAL fsync and backend commit times from its /metrics. */
async function etcdFacts(endpoint: string): Promise<string> {
  const text = await (await fetch(`${endpoint}/metrics`)).text();
  const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  const mean = (h: string): string => `${((value(`${h}_sum`) / value(`${h}_count`)) * 1000).toFixed(1)} ms over ${value(`${h}_count`)}`;
  return `WAL fsync mean ${mean('etcd_disk_wal_fsync_duration_seconds')}; backend commit mean ${mean('etcd_disk_backend_commit_duration_seconds')}`;
}

/** Nearest-rank percentile, one decimal. */
function pct(ms: readonly number[], p: number): string {
  const sorted = [...ms].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!.toFixed(1);
}

/** Runs a command to its end with `stdin`; its stdout, or a rejection with its stderr. Bounded: one minute. */
function run(file: string, args: readonly string[], stdin?: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile(file, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err === null ? done(stdout) : fail(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`)),
    );
    child.stdin?.end(stdin);
  });
}
