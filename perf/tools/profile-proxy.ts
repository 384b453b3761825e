/**
 * Profiles one proxy under a fixed load, outside the bench: starts the bench backend, then the proxy under
 * `--cpu-prof`, drives it with autocannon for a fixed number of requests, stops it (which writes the profile) and
 * prints the CPU µs the proxy spent per request. Comparing edgeway's profile with undici-floor's shows, function by
 * function, what edgeway does above the floor.
 *
 * Usage: node perf/tools/profile-proxy.ts edgeway|undici-floor|http-proxy|nginx [--requests N] [--size BYTES] [--no-profile]
 *   [--warmup N] (unmeasured requests first, default 20000) [--strace FILE] (count the proxy's syscalls during the load with strace -c -f, summary into FILE)
 *   [--pin split|with-backend] (taskset: the proxy alone on CPU 1 with load and backend on CPU 0, or the backend on
 *   the proxy's CPU; shows how much of the bench's spread is where the scheduler puts the three busy processes)
 *   [--cli PATH/main.js] (another build of edgeway, for A/B runs) [--settings JSON] (an EdgewaySettings spec for edgeway, e.g. '{"logging":{"access":false}}')
 *   [--gc] (run the proxy under V8's --trace-gc-nvp and report its collections during the load: count, main-thread
 *   and concurrent-marking CPU per request)
 * nginx gets no CPU profile, but its user/kernel split and syscalls per request are printed like the others'.
 * Profiles land in perf/profiles/<system>-<time>/; summarise them with perf/tools/profile-top.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { parseBenchOptions } from '../bench-options.ts';
import { ChildProcesses } from '../child-processes.ts';
import { startEdgewayProcess } from '../edgeway-process.ts';
import { startBackend, startPeer } from '../node-child.ts';
import { addGcTraceLine, emptyGcTally } from '../gc-trace.ts';
import { cpuBreakdown, processCpuMicros, syscallCounts, threadCpu } from '../process-cpu.ts';
import { edgewayConfig } from '../systems/edgeway-config.ts';
import { nginxScenario } from '../systems/nginx.ts';

/** Polls `check` every 20 ms until it holds; throws after `timeoutMs`. */
async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const HOST = 'bench.local';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  allowNegative: true,
  options: {
    warmup: { type: 'string', default: '20000' },
    strace: { type: 'string' },
    cli: { type: 'string' },
    settings: { type: 'string' },
    profile: { type: 'boolean', default: true },
    gc: { type: 'boolean', default: false },
    pin: { type: 'string' },
    requests: { type: 'string', default: '200000' },
    size: { type: 'string', default: '11' },
    connections: { type: 'string', default: '100' },
  },
});
const system = positionals[0];
if (values.pin !== undefined && values.pin !== 'split' && values.pin !== 'with-backend') {
  process.stderr.write('profile-proxy: --pin is split or with-backend\n');
  process.exit(2);
}
if (system !== 'edgeway' && system !== 'undici-floor' && system !== 'http-proxy' && system !== 'nginx') {
  process.stderr.write('usage: node perf/tools/profile-proxy.ts edgeway|undici-floor|http-proxy|nginx [--requests N] [--size BYTES]\n');
  process.exit(2);
}

const root = new URL('../..', import.meta.url).pathname;
const profileDir = join(root, 'perf/profiles', `${system}-${Date.now()}`);
await mkdir(profileDir, { recursive: true });
const procs = new ChildProcesses();
try {
  const backend = await startBackend(procs, Number(values.size));
  const prof = [...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...(values.gc ? ['--trace-gc-nvp'] : [])];
  let url: string;
  let pid: number | undefined;
  /** The proxy's stdout, piped when --gc reads V8's trace from it. */
  let output: NodeJS.ReadableStream | null = null;
  let stop: () => Promise<unknown>;
  if (system === 'edgeway') {
    const work = await mkdtemp(join(tmpdir(), 'edgeway-prof-'));
    const config = join(work, 'edgeway.yaml');
    await writeFile(
      config,
      edgewayConfig({
        backendPort: backend.port,
        hosts: [HOST],
        ...(values.settings === undefined ? {} : { settings: JSON.parse(values.settings) as object }),
      }),
    );
    const { url: edgewayUrl, child } = await startEdgewayProcess(procs, 'edgeway', values.cli ?? join(root, 'dist/cli/main.js'), config, work, {
      nodeArgs: prof,
      stdout: values.gc ? 'pipe' : 'ignore',
    });
    url = edgewayUrl;
    pid = child.process.pid;
    output = child.process.stdout;
    stop = () => child.stop(10_000);
  } else if (system === 'nginx') {
    const workDir = await mkdtemp(join(tmpdir(), 'edgeway-prof-nginx-'));
    const target = await nginxScenario((line) => process.stderr.write(`${line}\n`)).start({
      procs,
      options: parseBenchOptions([], []),
      backendPort: backend.port,
      workDir,
    });
    url = target.url;
    pid = target.pid;
    stop = () => target.stop();
  } else {
    const peer = await startPeer(procs, system, system, backend.port, prof);
    url = peer.url;
    pid = peer.child.process.pid;
    output = peer.child.process.stdout;
    stop = () => peer.child.stop(10_000);
  }
  // Read from now on (edgeway's access lines would otherwise fill the pipe and stall it); counted only while measured.
  const gc = emptyGcTally();
  let measuring = false;
  if (values.gc && output !== null) createInterface({ input: output }).on('line', (line) => measuring && addGcTraceLine(gc, line));
  if (values.pin !== undefined && pid !== undefined) {
    // Every thread of each process: the proxy on CPU 1; the load (this process) on CPU 0; the backend beside one.
    const pin = (target: number | undefined, cpu: string) => execFileSync('taskset', ['-a', '-p', '-c', cpu, String(target)], { stdio: 'ignore' });
    pin(process.pid, '0');
    pin(backend.child.process.pid, values.pin === 'with-backend' ? '1' : '0');
    pin(pid, '1');
  }
  const amount = Number(values.requests);
  // Unmeasured first: the JIT's optimising compiles (on background threads, counted in the process's CPU) settle.
  await autocannon({ url, connections: Number(values.connections), amount: Number(values.warmup), headers: { host: HOST }, duration: 30 });
  const tracer =
    values.strace === undefined || pid === undefined
      ? undefined
      : procs.start('strace', 'strace', ['-c', '-f', '-p', String(pid), '-o', values.strace], { stdout: 'ignore' });
  // strace says "Process N attached" on stderr once it is in place: measure only from then on.
  if (tracer !== undefined) await waitFor(() => tracer.stderrTail.includes('attached'), 5_000, 'strace to attach');
  const ioBefore = syscallCounts(pid);
  const before = processCpuMicros(pid);
  const backendBefore = processCpuMicros(backend.child.process.pid);
  const loadBefore = process.cpuUsage();
  const splitBefore = cpuBreakdown(pid);
  const threadsBefore = threadCpu(pid);
  measuring = true;
  const result = await autocannon({ url, connections: Number(values.connections), amount, headers: { host: HOST }, duration: 60 });
  measuring = false;
  const after = processCpuMicros(pid);
  const backendAfter = processCpuMicros(backend.child.process.pid);
  const load = process.cpuUsage(loadBefore);
  const splitAfter = cpuBreakdown(pid);
  const ioAfter = syscallCounts(pid);
  const threadsAfter = threadCpu(pid);
  await tracer?.stop();
  await stop();
  const total = result.requests.total;
  /** CPU µs per request between two processCpuMicros readings; NaN when the process could not be read. */
  const cpuPerRequest = (from: number | undefined, to: number | undefined) => (from === undefined || to === undefined ? Number.NaN : (to - from) / total);
  const perRequest = cpuPerRequest(before, after);
  const byName = new Map<string, number>();
  for (const [tid, t] of threadsAfter) byName.set(t.name, (byName.get(t.name) ?? 0) + t.micros - (threadsBefore.get(tid)?.micros ?? 0));
  const threads = [...byName]
    .filter(([, us]) => us > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => `${name} ${(us / total).toFixed(1)}`);
  process.stdout.write(`${system}: CPU µs per request by thread: ${threads.join(', ')}\n`);
  process.stdout.write(
    `${system}: per request ${((ioAfter.reads - ioBefore.reads) / total).toFixed(2)} read and ${((ioAfter.writes - ioBefore.writes) / total).toFixed(2)} write syscalls (/proc/PID/io)\n`,
  );
  const per = (key: keyof typeof splitAfter, digits: number) => ((splitAfter[key] - splitBefore[key]) / total).toFixed(digits);
  process.stdout.write(
    `${system}: per request ${per('userMicros', 1)} µs user and ${per('systemMicros', 1)} µs kernel, ${per('voluntarySwitches', 3)} voluntary and ${per('involuntarySwitches', 3)} involuntary context switches\n`,
  );
  if (values.gc) {
    const perRequestUs = (ms: number) => ((ms * 1000) / total).toFixed(1);
    process.stdout.write(
      output === null
        ? `${system}: --gc needs a Node proxy\n`
        : `${system}: ${gc.scavenges} scavenges (${perRequestUs(gc.scavengeMs)} µs per request) and ${gc.fullCollections} full collections (${perRequestUs(gc.fullMainMs)} µs main thread, ${perRequestUs(gc.fullBackgroundMs)} µs concurrent marking per request)\n`,
    );
  }
  // The other two busy processes share the 2 cores with the proxy: what they take is what the proxy cannot have.
  process.stdout.write(
    `beside it: backend ${cpuPerRequest(backendBefore, backendAfter).toFixed(1)} and load generator ${((load.user + load.system) / total).toFixed(1)} CPU µs per request\n`,
  );
  process.stdout.write(
    `${system}: ${total} requests, ${Math.round(result.requests.average)} req/s, ${perRequest.toFixed(1)} CPU µs per request${values.profile && system !== 'nginx' ? `; profile in ${profileDir}` : ''}\n`,
  );
} finally {
  await procs.stopAll();
}
