/**
 * The bin's front door as a child process: `--version`, every command's own `--help`, flag errors answered as
 * usage errors (exit 2, no stack trace), and the one-line refusal on a Node.js older than package.json's engines.
 */
import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { COMMAND_USAGE } from '../../src/cli/usage.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(args: readonly string[], node = process.execPath): Promise<Ran> {
  try {
    const { stdout, stderr } = await promisify(execFile)(node, [BIN, ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

test('edgeway --version prints the version of package.json', async (t) => {
  const r = await run(['--version']);
  t.is(r.code, 0);
  t.is(r.stdout, `edgeway ${PACKAGE.version}\n`);
});

for (const command of Object.keys(COMMAND_USAGE) as (keyof typeof COMMAND_USAGE)[]) {
  test(`edgeway ${command} --help prints its own usage and exits 0`, async (t) => {
    for (const flag of ['--help', '-h']) {
      const r = await run([command, flag]);
      t.is(r.code, 0, r.stderr);
      t.is(r.stdout, COMMAND_USAGE[command]);
      t.true(r.stdout.startsWith(`usage: edgeway ${command}`));
      t.is(r.stderr, '');
    }
  });
}

test('edgeway serve --config x.yaml --help answers with usage rather than starting', async (t) => {
  const r = await run(['serve', '--config', 'does-not-exist.yaml', '--help']);
  t.is(r.code, 0);
  t.is(r.stdout, COMMAND_USAGE.serve);
});

test('whoami with an unknown flag is a usage error, not a stack trace', async (t) => {
  const r = await run(['whoami', '--bogus']);
  t.is(r.code, 2);
  t.regex(r.stderr, /^edgeway whoami: Unknown option '--bogus'/);
  t.notRegex(r.stderr, /\n\s+at /);
});

/** A `node` on PATH older than the engines minimum, if the machine has one (found synchronously: ava wants tests declared at once). */
function oldNode(): { path: string; version: string } | undefined {
  const minimum = /(\d+)\.(\d+)/.exec(PACKAGE.engines.node)!.slice(1).map(Number) as [number, number];
  const ask = (file: string, args: string[]): string => {
    try {
      return execFileSync(file, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  };
  const found = ask('which', ['-a', 'node']).split('\n').filter(Boolean);
  for (const path of ['/usr/local/bin/node', '/usr/bin/node', ...found]) {
    const version = ask(path, ['-p', 'process.versions.node']).trim();
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (version !== '' && (major < minimum[0] || (major === minimum[0] && minor < minimum[1]))) return { path, version };
  }
  return undefined;
}

const old = oldNode();
if (old === undefined) {
  test.skip('on an old Node.js the bin says which version it needs (skipped: no node older than engines on this machine)', () => {});
} else {
  test(`on Node.js ${old.version} (${old.path}) the bin says in one line which version it needs and exits 1`, async (t) => {
    const minimum = PACKAGE.engines.node.replace(/^>=\s*/, '');
    for (const args of [['--version'], ['serve', '--config', 'x.yaml']]) {
      const r = await run(args, old.path);
      t.is(r.code, 1);
      t.is(r.stdout, '');
      t.is(r.stderr, `edgeway needs Node.js ${minimum} or newer (this is ${old.version})\n`);
    }
  });
}
