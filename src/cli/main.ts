#!/usr/bin/env node
/**
 * The `edgeway` bin. It checks the Node.js version before anything else is loaded: on an older Node the real CLI
 * (and undici inside it) would fail with a stack trace from deep inside a dependency, so this file imports nothing
 * but node:fs, uses only syntax old Nodes parse, reads the minimum from package.json's `engines` and says in one
 * line what is needed. Then it loads the CLI (run-cli.ts) dynamically.
 */
import { readFileSync } from 'node:fs';

interface PackageInfo {
  readonly version?: string;
  readonly engines?: { readonly node?: string };
}

// src/cli/ and dist/cli/ are both two levels below the package root.
const info = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PackageInfo;
const minimum = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(info.engines?.node?.trim() ?? '');
const running = process.versions.node.split('.').map(Number);

/** Whether `have` (major, minor, patch) is at least `need`, compared part by part. */
function atLeast(have: readonly number[], need: readonly number[]): boolean {
  for (let i = 0; i < need.length; i++) {
    const h = have[i] ?? 0;
    const n = need[i] ?? 0;
    if (h !== n) return h > n;
  }
  return true;
}

const needed =
  minimum === null
    ? []
    : minimum
        .slice(1)
        .filter((p) => p !== undefined)
        .map(Number);
if (needed.length > 0 && !atLeast(running, needed)) {
  process.stderr.write(`edgeway needs Node.js ${needed.join('.')} or newer (this is ${process.versions.node})\n`);
  process.exit(1);
}

const { runCli } = await import('./run-cli.ts');
process.exitCode = await runCli(process.argv.slice(2), info.version ?? 'unknown');
