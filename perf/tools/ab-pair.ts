/**
 * Compares two builds of edgeway under the same load at the same time, to see differences smaller than this
 * machine's noise. Alternating runs (profile-proxy.ts --cli) see the host's noise move by ±15% between runs; here both
 * builds serve at once, each driven by its own autocannon from this process against one shared backend, so whatever
 * the host does in a round it does to both. Every round restarts both proxies (a process's own luck — JIT, memory
 * layout — moves its cost too) and swaps which build starts first; the result is the ratio of CPU per request, B/A,
 * per round and its median.
 *
 * Usage: node perf/tools/ab-pair.ts A/dist/cli/main.js B/dist/cli/main.js [--rounds 6] [--requests 60000]
 *   [--size 11] [--connections 50] [--node-args-a=FLAGS] [--node-args-b=FLAGS] [--https]
 * The --node-args options (with `=`, space-separated flags) give Node flags to one side, to compare runtime settings on one build. A side may also
 * be `undici-floor` or `http-proxy` instead of a build: the peer then serves beside edgeway under the same load,
 * which compares edgeway with it free of the host's drift. `--https` loads both sides over HTTPS (keep-alive, the bench
 * certificate): edgeway's HTTPS entrypoint, the undici floor behind node:https.
 * Builds are made by copying dist/ and schema/ elsewhere (see the README's Performance section).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { ChildProcesses } from '../child-processes.ts';
import { startEdgewayProcess, type EdgewayProcess } from '../edgeway-process.ts';
import { startBackend, startPeer } from '../node-child.ts';
import { type PemFiles, writePemFiles } from '../pem-files.ts';
import { processCpuMicros } from '../process-cpu.ts';
import { median } from '../stats.ts';
import { edgewayConfig } from '../systems/edgeway-config.ts';
import { benchCertificate } from '../systems/tls.ts';

const HOST = 'bench.local';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '6' },
    requests: { type: 'string', default: '60000' },
    size: { type: 'string', default: '11' },
    connections: { type: 'string', default: '50' },
    'node-args-a': { type: 'string', default: '' },
    'node-args-b': { type: 'string', default: '' },
    https: { type: 'boolean', default: false },
  },
});
const [cliA, cliB] = positionals;
const nodeArgs = (flags: string) => flags.split(' ').filter((flag) => flag !== '');
const [nodeArgsA, nodeArgsB] = [nodeArgs(values['node-args-a']), nodeArgs(values['node-args-b'])];
if (cliA === undefined || cliB === undefined) {
  process.stderr.write(
    'usage: node perf/tools/ab-pair.ts A B [--rounds N] [--requests N] [--size B] [--connections N] [--node-args-a=FLAGS] [--node-args-b=FLAGS]\n' +
      "  A, B: a build's dist/cli/main.js, or undici-floor or http-proxy (not with --https)\n",
  );
  process.exit(2);
}

const procs = new ChildProcesses();
const https = values.https;
/** The bench certificate's files, written once into the work directory when --https. */
let tlsFiles: PemFiles | undefined;

/** A process serving the load: an edgeway build or a peer (which has no admin port). */
type Side = Omit<EdgewayProcess, 'adminPort'>;

/** One side: a build of edgeway, or one of the bench's peers. */
async function startSide(name: string, cli: string, config: string, work: string, backendPort: number, nodeArgs: readonly string[]): Promise<Side> {
  if (cli !== 'undici-floor' && cli !== 'http-proxy') return startEdgewayProcess(procs, name, cli, config, work, { nodeArgs, https });
  if (https && cli === 'http-proxy') throw new Error('ab-pair: --https runs edgeway builds and undici-floor only');
  return startPeer(procs, name, cli, backendPort, nodeArgs, tlsFiles);
}

/** Drives both proxies at once with `amount` requests each; returns the CPU µs per request of each. */
async function load(a: Side, b: Side, amount: number): Promise<[number, number]> {
  const drive = (p: Side) => autocannon({ url: p.url, connections: Number(values.connections), amount, headers: { host: HOST }, duration: 120 });
  const pids = [a.child.process.pid, b.child.process.pid];
  const before = pids.map(processCpuMicros);
  const [ra, rb] = await Promise.all([drive(a), drive(b)]);
  const after = pids.map(processCpuMicros);
  const per = (i: number, total: number) => ((after[i] ?? Number.NaN) - (before[i] ?? Number.NaN)) / total;
  if (ra.non2xx + rb.non2xx + ra.errors + rb.errors > 0) throw new Error('a proxy answered with errors');
  return [per(0, ra.requests.total), per(1, rb.requests.total)];
}

try {
  const backend = await startBackend(procs, Number(values.size));
  const work = await mkdtemp(join(tmpdir(), 'edgeway-ab-'));
  const config = join(work, 'edgeway.yaml');
  const certificate = https ? benchCertificate() : undefined;
  await writeFile(config, edgewayConfig({ backendPort: backend.port, hosts: [HOST], ...(certificate === undefined ? {} : { tls: certificate }) }));
  if (certificate !== undefined) tlsFiles = await writePemFiles(work, certificate);
  const amount = Number(values.requests);
  const ratios: number[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    // Which build starts (and so warms) first alternates, so neither is always the older process.
    const aFirst = round % 2 === 0;
    const first = await startSide(aFirst ? 'a' : 'b', aFirst ? cliA : cliB, config, work, backend.port, aFirst ? nodeArgsA : nodeArgsB);
    const second = await startSide(aFirst ? 'b' : 'a', aFirst ? cliB : cliA, config, work, backend.port, aFirst ? nodeArgsB : nodeArgsA);
    const [a, b] = aFirst ? [first, second] : [second, first];
    await load(a, b, Math.round(amount / 5)); // warm-up, unmeasured
    const [cpuA, cpuB] = await load(a, b, amount);
    ratios.push(cpuB / cpuA);
    process.stdout.write(`round ${round + 1}: A ${cpuA.toFixed(1)} µs, B ${cpuB.toFixed(1)} µs per request, B/A ${(cpuB / cpuA).toFixed(3)}\n`);
    await Promise.all([a.child.stop(10_000), b.child.stop(10_000)]);
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  process.stdout.write(
    `B/A CPU per request: median ${median(ratios).toFixed(3)} (min ${sorted[0]!.toFixed(3)}, max ${sorted[sorted.length - 1]!.toFixed(3)}) over ${ratios.length} rounds\n`,
  );
} finally {
  await procs.stopAll();
}
