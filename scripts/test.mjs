#!/usr/bin/env node
// `npm test`: checks format and lint (Biome), builds dist/ (the CLI tests run the real bin), type-checks everything,
// runs ava, and ends with one line `N passed, N failed` read from ava's summary, so CI logs show the result and not
// only the exit code.
import { spawn, spawnSync } from 'node:child_process';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

// Formatting and lint first: cheap, and a failure there says exactly what to fix (`npm run format`).
if (run('biome', ['check', '.']) !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
if (run('tsc', ['-p', 'tsconfig.build.json']) !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
if (run('tsc', ['-p', '.', '--noEmit']) !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const ava = spawn('ava', process.argv.slice(2), { stdio: ['inherit', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
let output = '';
for (const stream of [ava.stdout, ava.stderr]) {
  stream.on('data', (chunk) => {
    output += chunk;
    (stream === ava.stdout ? process.stdout : process.stderr).write(chunk);
  });
}
ava.on('close', (code) => {
  const count = (re) => [...output.matchAll(re)].reduce((sum, m) => sum + Number(m[1]), 0);
  // ava prints `N tests passed` only when nothing failed; otherwise the passed tests are its ✔ lines.
  const passed = count(/^\s*(\d+) tests? passed/gm) || [...output.matchAll(/^\s*✔ /gm)].length;
  let failed =
    count(/^\s*(\d+) tests? failed/gm) +
    count(/^\s*(\d+) uncaught exceptions?/gm) +
    count(/^\s*(\d+) unhandled rejections?/gm) +
    count(/^\s*(\d+) tests? remained pending/gm);
  const skipped = count(/^\s*(\d+) tests? skipped/gm) + count(/^\s*(\d+) known failures?/gm);
  if (code !== 0 && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code ?? 1);
});
