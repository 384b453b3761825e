/**
 * Summarises a V8 .cpuprofile (from `--cpu-prof`): self time per function and per file, highest first.
 * Usage: node perf/tools/profile-top.ts FILE.cpuprofile [N]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, limitText] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node perf/tools/profile-top.ts FILE.cpuprofile [N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const total = profile.samples.length;
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const node of profile.nodes) {
  const n = hits.get(node.id) ?? 0;
  if (n === 0) continue;
  const url = node.callFrame.url.replace(/^.*node_modules\//, 'nm/').replace(/^file:\/\/.*\/(src|dist)\//, '$1/');
  const name = `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + n);
  byFile.set(url || '(native)', (byFile.get(url || '(native)') ?? 0) + n);
}
const limit = Number(limitText ?? 30);
const show = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title} (${total} samples)\n`);
  for (const [name, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    process.stdout.write(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${name}\n`);
  }
};
show('self time by function', byFunction);
show('self time by file', byFile);
