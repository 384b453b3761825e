import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test.serial('npm run bench --smoke: every system answers 2xx and gets a table row', async (t) => {
  t.timeout(180_000);
  const env = { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}` };
  const child = spawn('node', [join(ROOT, 'perf', 'bench.ts'), '--smoke'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // If the test times out, do not leave the bench (and its children) running.
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  t.is(code, 0, `bench --smoke failed:\n${stdout}\n${stderr}`);
  for (const system of ['direct', 'edgeway', 'http-proxy']) {
    t.regex(stdout, new RegExp(`^\\| ${system} \\| 11 B \\|`, 'm'), `no 11 B row for ${system}`);
    t.regex(stdout, new RegExp(`^\\| ${system} \\| 16 KiB \\|`, 'm'), `no 16 KiB row for ${system}`);
  }
  // nginx may be impossible to install on some machines; then it must say so rather than vanish.
  t.regex(stdout, /^\| nginx \| (11 B|not available) \|/m);
  for (const config of ['edgeway-10-hosts', 'edgeway-10000-hosts']) t.regex(stdout, new RegExp(`^\\| ${config} \\|`, 'm'));
  for (const [scenario, body] of [
    ['ingress-path', '11 B'],
    ['lb-http', '11 B'],
    ['l4-direct', '1024 KiB'],
    ['l4-edgeway', '1024 KiB'],
  ]) {
    t.regex(stdout, new RegExp(`^\\| ${scenario} \\| ${body} \\|`, 'm'), `no ${body} row for ${scenario}`);
  }
  for (const system of ['edgeway-https', 'edgeway-handshakes']) t.regex(stdout, new RegExp(`^\\| ${system} \\| `, 'm'), `no TLS row for ${system}`);
  t.regex(stdout, /^\| nginx-https \| (HTTPS keep-alive|not available) \|/m);
  for (const config of ['edgeway-plain', 'edgeway-health', 'round-robin', 'least-request', 'ewma']) t.regex(stdout, new RegExp(`^\\| ${config} \\|`, 'm'));
  t.notRegex(stdout, /FAILED/);
});
