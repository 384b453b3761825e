/**
 * `npm run bench`: edgeway against a direct run, node-http-proxy and nginx, all in front of the same backend, then
 * routing scale (10 vs 10,000 host rules), then TLS termination against nginx (keep-alive HTTPS, new handshakes); with
 * --workers N, edgeway and nginx with N workers and with one. Prints Markdown tables and writes the raw results to
 * perf/results/<timestamp>.json (perf/results/tmp/ for --smoke). See perf/bench-options.ts for the flags.
 *
 * With --smoke it only checks that every system answered 2xx without errors and exits non-zero otherwise; it never
 * judges timings, which vary too much on a shared machine to assert on.
 */

import { cpus } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_USAGE, parseBenchOptions, selected } from './bench-options.ts';
import type { BenchOptions } from './bench-options.ts';
import { ChildProcesses } from './child-processes.ts';
import { isClean } from './load-result.ts';
import { addressesTable, cpuTable, pairedRatioLines, proxyTable, ratioTable, reloadTable, routingTable, tlsTable, unavailableNotes } from './report.ts';
import type { Unavailable } from './report.ts';
import { runScenarios } from './runner.ts';
import type { Scenario } from './scenario.ts';
import { BODY_SIZES } from './scenario.ts';
import { summarize } from './stats.ts';
import type { Measurement } from './stats.ts';
import { ingressPathScenario, l4DirectScenario, l4EdgewayScenario, lbHttpScenario } from './systems/addresses.ts';
import { balancingScenario, balancingTable, healthScenario, healthTable } from './systems/balancing.ts';
import { directScenario } from './systems/direct.ts';
import { edgewayScenario } from './systems/edgeway.ts';
import { edgewayNoRetriesScenario, edgewayRetriesScenario } from './systems/edgeway-retries.ts';
import { httpProxyScenario } from './systems/http-proxy.ts';
import { undiciFloorScenario } from './systems/undici-floor.ts';
import { nginxScenario } from './systems/nginx.ts';
import { RELOAD_BAR, RELOAD_INTERVAL_MS, RELOAD_LOOP, RELOAD_STEADY, reloadScenario } from './systems/reload.ts';
import { TLS_GROUP, tlsScenarios } from './systems/tls.ts';
import { WORKERS_GROUP, workersScenarios, workersTable } from './systems/workers.ts';
import { ROUTING_BAR, ROUTING_LARGE, ROUTING_SMALL, routingScenario, routingScenarioName } from './systems/routing-scale.ts';

const PERF_DIR = dirname(fileURLToPath(import.meta.url));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Every scenario, in the order they are interleaved within a repetition. */
const SCENARIOS: readonly Scenario[] = [
  directScenario,
  edgewayScenario,
  edgewayNoRetriesScenario,
  edgewayRetriesScenario,
  httpProxyScenario,
  undiciFloorScenario,
  nginxScenario(log),
  routingScenario(ROUTING_SMALL),
  routingScenario(ROUTING_LARGE),
  ingressPathScenario,
  lbHttpScenario,
  l4DirectScenario,
  l4EdgewayScenario,
  ...tlsScenarios(log),
  healthScenario(false),
  healthScenario(true),
  balancingScenario('round-robin'),
  balancingScenario('least-request'),
  balancingScenario('ewma'),
  reloadScenario(false),
  reloadScenario(true),
  ...workersScenarios(log),
];
const GROUPS = ['proxy', 'routing', 'addresses', TLS_GROUP, 'health', 'balancing', 'reload', WORKERS_GROUP];

/**
 * The workers group runs only with --workers; --workers without --only runs only that group. Scenarios marked
 * onRequest run only when --only names them (or their group).
 */
function wantedScenario(options: BenchOptions, s: Scenario): boolean {
  if (s.group === WORKERS_GROUP) return options.workers !== null && selected(options, s.name, s.group);
  if (options.workers !== null && options.only.length === 0) return false;
  return selected(options, s.name, s.group) && (s.onRequest !== true || options.only.length > 0);
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2), [...SCENARIOS.map((s) => s.name), ...GROUPS]);
  } catch (err) {
    log(`${err instanceof Error ? err.message : String(err)}\n${BENCH_USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const procs = new ChildProcesses();
  const startedAt = new Date();
  const wanted = SCENARIOS.filter((s) => wantedScenario(options, s));
  const unavailable: Unavailable[] = [];
  const missing: string[] = [];
  const runnable: Scenario[] = [];
  for (const scenario of wanted) {
    const reason = scenario.availability === undefined ? null : await scenario.availability();
    if (reason === null) runnable.push(scenario);
    else {
      unavailable.push({ scenario: scenario.name, group: scenario.group, reason });
      if (scenario.optional !== true) missing.push(scenario.name);
      log(`${scenario.name}: not available (${reason})`);
    }
  }
  const measurements: Measurement[] = [];
  try {
    for (const group of GROUPS) {
      const scenarios = runnable.filter((s) => s.group === group);
      if (scenarios.length > 0) measurements.push(...(await runScenarios({ scenarios, options, procs, log })));
    }
  } finally {
    await procs.stopAll();
  }
  const summaries = summarize(measurements);
  const sections: string[] = [
    `# edgeway bench, ${startedAt.toISOString()}`,
    `${options.reps} repetition(s), ${options.durationSec} s runs after ${options.warmupSec} s warm-up, ${options.connections} connections; ` +
      `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}). ` +
      'edgeway runs with access logging on (JSON to stdout, sent to /dev/null).',
  ];
  if (wanted.some((s) => s.group === 'proxy')) {
    sections.push(proxyTable(summaries, unavailable), ratioTable(summaries, BODY_SIZES));
    const paired = pairedRatioLines(measurements, BODY_SIZES);
    if (paired !== '') sections.push(paired);
  }
  if (wanted.some((s) => s.group === 'routing')) {
    sections.push(
      routingTable(summaries, unavailable, { small: routingScenarioName(ROUTING_SMALL), large: routingScenarioName(ROUTING_LARGE), bar: ROUTING_BAR }),
    );
  }
  if (wanted.some((s) => s.group === 'addresses')) sections.push(addressesTable(summaries, unavailable));
  if (wanted.some((s) => s.group === TLS_GROUP)) sections.push(tlsTable(summaries, unavailable, measurements));
  if (wanted.some((s) => s.group === 'health')) sections.push(healthTable(summaries));
  if (wanted.some((s) => s.group === 'balancing')) sections.push(balancingTable(summaries));
  if (wanted.some((s) => s.group === 'reload')) {
    sections.push(reloadTable(summaries, unavailable, { steady: RELOAD_STEADY, reloading: RELOAD_LOOP, bar: RELOAD_BAR, intervalMs: RELOAD_INTERVAL_MS }));
  }
  if (options.workers !== null && wanted.some((s) => s.group === WORKERS_GROUP)) sections.push(workersTable(summaries, unavailable, options.workers));
  const cpu = cpuTable(summaries);
  if (cpu !== null) sections.push(cpu);
  if (unavailable.length > 0) sections.push(unavailableNotes(unavailable));
  const failures = measurements.filter((m) => m.result === null || !isClean(m.result));
  for (const m of failures) {
    sections.push(`FAILED: ${m.scenario} ${m.bodySize} B rep ${m.rep}: ${m.error ?? 'responses other than 2xx, or errors/timeouts'}`);
  }
  for (const name of missing) sections.push(`FAILED: ${name} could not run (see above)`);
  process.stdout.write(`${sections.join('\n\n')}\n`);

  const resultsDir = join(PERF_DIR, 'results', ...(options.smoke ? ['tmp'] : []));
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, `${startedAt.toISOString().replaceAll(':', '-')}.json`);
  const raw = { startedAt: startedAt.toISOString(), options, node: process.version, cpus: cpus().map((c) => c.model), unavailable, measurements, summaries };
  await writeFile(file, `${JSON.stringify(raw, null, 2)}\n`);
  log(`raw results: ${relative(process.cwd(), file)}`);
  // A full run reports failures in the table; only --smoke turns them into an exit status.
  return options.smoke && failures.length + missing.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
