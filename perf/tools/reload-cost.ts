/**
 * What one reload of the bench's 10,000-object configuration costs in CPU, by phase, measured in-process through
 * the path the running process takes (Edgeway.start, then Edgeway.reload after rewriting the file: load, compile,
 * apply; see src/reload/build-cost.ts). Prints the start (a full load) and each reload of a one-path change
 * (perf/systems/reload-config.ts), then medians. Garbage collection is included in the phases' CPU.
 *
 * Usage: node perf/tools/reload-cost.ts [--reps N] [--profile FILE.cpuprofile]
 *   --profile  CPU-profiles the reloads only (not the start); summarise with perf/tools/profile-top.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Edgeway } from '../../src/edgeway.ts';
import type { BuildCost } from '../../src/reload/build-cost.ts';
import { reloadConfig } from '../systems/reload-config.ts';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '10' }, profile: { type: 'string' } } });
const reps = Number(values.reps);
// Nothing is requested: the backend port only has to be a valid number.
const BACKEND_PORT = 9;

const dir = await mkdtemp(join(tmpdir(), 'edgeway-reload-cost-'));
const file = join(dir, 'edgeway.yaml');
const texts = [reloadConfig(BACKEND_PORT, 0), reloadConfig(BACKEND_PORT, 1), reloadConfig(BACKEND_PORT, 2)];
await writeFile(file, texts[0]!);
const edgeway = await Edgeway.start({
  configPaths: [file],
  overrides: { http: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, stateDir: join(dir, 'state'), logLevel: 'silent' },
  report: () => undefined,
});
const rows: { name: string; cost: BuildCost }[] = [];
rows.push({ name: 'start (full load)', cost: edgeway.buildCost });
const session = values.profile === undefined ? null : new Session();
if (session !== null) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
}
try {
  for (let i = 0; i < reps; i++) {
    await writeFile(file, texts[1 + (i % 2)]!);
    const outcome = await edgeway.reload('api');
    if (!outcome.ok) throw new Error(`reload ${i} failed: ${outcome.diagnostics.map((d) => d.message).join('; ')}`);
    rows.push({ name: `reload ${i + 1} (one path changed)`, cost: edgeway.buildCost });
  }
} finally {
  if (session !== null && values.profile !== undefined) {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(values.profile, JSON.stringify(profile));
    session.disconnect();
  }
  await edgeway.close(0);
  await rm(dir, { recursive: true, force: true });
}

const fmt = (n: number): string => (Number.isNaN(n) ? '-' : n.toFixed(1)).padStart(8);
const line = (name: string, c: BuildCost): string =>
  `${name.padEnd(30)}${fmt(c.loadMs)}${fmt(c.compileMs)}${fmt(c.applyMs)}${fmt(c.loadMs + c.compileMs + c.applyMs)}\n`;
process.stdout.write(`${'CPU ms'.padEnd(30)}${'load'.padStart(8)}${'compile'.padStart(8)}${'apply'.padStart(8)}${'total'.padStart(8)}\n`);
for (const r of rows) process.stdout.write(line(r.name, r.cost));
const reloads = rows.slice(1);
const median = (f: (r: (typeof rows)[number]) => number): number => {
  const sorted = reloads.map(f).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
process.stdout.write(
  line(`median of ${reloads.length} reloads`, {
    loadMs: median((r) => r.cost.loadMs),
    compileMs: median((r) => r.cost.compileMs),
    applyMs: median((r) => r.cost.applyMs),
  }),
);
