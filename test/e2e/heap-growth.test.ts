/**
 * The old-generation growth setting (src/heap-growth.ts): the flag it writes, and, in a real Node child process, that
 * writing it at run time changes the factor V8 uses at its next full collection (V8 prints the factor under
 * --trace-gc-verbose).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { heapGrowthFlag } from '../../src/heap-growth.ts';

test('heapGrowthFlag: the percent as V8 takes it, whole numbers only', (t) => {
  t.is(heapGrowthFlag(300), '--heap-growing-percent=300');
  t.is(heapGrowthFlag(0), '--heap-growing-percent=0');
  t.is(heapGrowthFlag(12.7), '--heap-growing-percent=12');
});

/** Runs a child that applies `percent` after start-up and then forces a full collection; returns V8's factors, the forced collection's last. */
async function factorsAfterApplying(percent: number): Promise<string[]> {
  const module = new URL('../../src/heap-growth.ts', import.meta.url).href;
  const script = `const { applyHeapGrowth } = await import(${JSON.stringify(module)}); applyHeapGrowth(${percent}); const keep = Array.from({ length: 500 }, (_, i) => new Array(1000).fill(i)); globalThis.gc(); process.stdout.write(String(keep.length) + '\\n');`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--trace-gc-verbose', '--input-type=module', '-e', script], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return [...stdout.matchAll(/\[HeapController\] factor ([0-9.]+)/g)].map((m) => m[1]!);
}

test('applied at run time, the growth is the factor of the next full collection', async (t) => {
  t.is((await factorsAfterApplying(300)).at(-1), '4.0');
  t.is((await factorsAfterApplying(50)).at(-1), '1.5');
});
