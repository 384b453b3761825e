/**
 * The real bin as a child process: `serve` with readiness, access logs and graceful exit; `whoami`; start-up
 * failures that bind nothing; a bad object left out while the rest is served.
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints } from '../helpers/manifests.ts';
import { unusedPort, waitFor } from '../helpers/servers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

interface Child {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

function run(t: Parameters<typeof tempDir>[0], args: string[]): Child {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const state: Child = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stdout!.on('data', (c: Buffer) => (state.stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (state.stderr += c.toString()));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return state;
}

async function whoami(t: Parameters<typeof tempDir>[0], name: string): Promise<number> {
  const port = await unusedPort();
  const w = run(t, ['whoami', '--listen', `127.0.0.1:${port}`, '--name', name]);
  await waitFor(() => w.stdout.includes('listening'), 10_000, 'whoami to listen');
  return port;
}

function ports(stderr: string): { http: number; admin: number } | null {
  const m = /http 127\.0\.0\.1:(\d+).*admin 127\.0\.0\.1:(\d+)/.exec(stderr);
  return m ? { http: Number(m[1]), admin: Number(m[2]) } : null;
}

test('serve: ready after start, proxies to whoami, logs JSON access lines, exits 0 on SIGTERM', async (t) => {
  const backendPort = await whoami(t, 'pod-a');
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  await writeFile(
    file,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('who', [{ ip: '127.0.0.1', port: backendPort }]),
      ingress('web', [{ host: 'who.test', path: '/', service: 'who' }]),
    ),
  );
  const gw = run(t, ['serve', '--workers', '1', '--config', file, '--http', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--state-dir', join(dir, 'state')]);
  await waitFor(() => ports(gw.stderr) !== null, 15_000, 'edgeway to report its ports');
  const { http, admin } = ports(gw.stderr)!;

  t.is((await fetch(`http://127.0.0.1:${admin}/healthz`)).status, 200);
  t.is((await fetch(`http://127.0.0.1:${admin}/readyz`)).status, 200);

  const res = await httpGet(`http://127.0.0.1:${http}/hello?x=1`, { host: 'who.test', accept: 'application/json' });
  t.is(res.status, 200);
  const body = JSON.parse(res.text) as { name: string; request: string; headers: [string, string][] };
  t.is(body.name, 'pod-a');
  t.is(body.request, 'GET /hello?x=1 HTTP/1.1');
  t.true(body.headers.some(([k, v]) => k.toLowerCase() === 'x-forwarded-proto' && v === 'http'));

  await waitFor(() => gw.stdout.includes('"log":"access"'), 10_000, 'an access log line');
  const line = JSON.parse(gw.stdout.split('\n').find((l) => l.includes('"log":"access"'))!) as Record<string, unknown>;
  for (const field of ['time', 'method', 'host', 'path', 'status', 'bytes', 'durationMs', 'upstream', 'requestId']) t.true(field in line, field);
  t.is(line.status, 200);
  t.is(line.upstream, `127.0.0.1:${backendPort}`);

  const notFound = await httpGet(`http://127.0.0.1:${http}/`, { host: 'nobody.test' });
  t.is(notFound.status, 404);
  await waitFor(() => gw.stdout.includes('EDGEWAY_NO_ROUTE'), 10_000, 'the 404 access line with its reason');

  gw.child.kill('SIGTERM');
  t.is(await gw.exited, 0);
});

test('serve: malformed YAML exits 1 with file and line, and binds nothing', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'broken.yaml');
  await writeFile(file, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n   bad: indentation\n');
  const port = await unusedPort();
  const gw = run(t, ['serve', '--workers', '1', '--config', file, '--http', `127.0.0.1:${port}`, '--admin', '127.0.0.1:0']);
  t.is(await gw.exited, 1);
  t.regex(gw.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+`));
  t.regex(gw.stderr, /nothing was started/);
});

test('serve: a missing file and a missing --config are clear errors', async (t) => {
  const missing = run(t, ['serve', '--config', '/nonexistent/edgeway.yaml', '--admin', '127.0.0.1:0']);
  t.is(await missing.exited, 1);
  t.regex(missing.stderr, /\/nonexistent\/edgeway\.yaml/);
  const usage = run(t, ['serve']);
  t.is(await usage.exited, 2);
  t.regex(usage.stderr, /--config/);
  const badFlag = run(t, ['serve', '--config', 'x.yaml', '--http', 'nonsense']);
  t.is(await badFlag.exited, 2);
  t.regex(badFlag.stderr, /--http must be HOST:PORT/);
  const badEtcd = run(t, ['serve', '--config', 'x.yaml', '--etcd-servers', '127.0.0.1:2379']);
  t.is(await badEtcd.exited, 2);
  t.regex(badEtcd.stderr, /--etcd-servers takes http:\/\/ or https:\/\/ URLs/);
});

test('serve: an invalid object is reported and left out while the rest is served', async (t) => {
  const backendPort = await whoami(t, 'pod-b');
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  const badIngress = ingress('bad', [{ host: 'bad.test', path: 'no-slash', service: 'who' }]);
  await writeFile(
    file,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('who', [{ ip: '127.0.0.1', port: backendPort }]),
      badIngress,
      ingress('good', [{ host: 'good.test', path: '/', service: 'who' }]),
    ),
  );
  const gw = run(t, ['serve', '--workers', '1', '--config', file, '--http', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  await waitFor(() => ports(gw.stderr) !== null, 15_000, 'edgeway to start');
  t.regex(gw.stderr, /Ingress default\/bad/);
  t.regex(gw.stderr, /spec\.rules\[0\]\.http\.paths\[0\]\.path/);
  t.regex(gw.stderr, /1 skipped/);
  const { http } = ports(gw.stderr)!;
  t.is((await httpGet(`http://127.0.0.1:${http}/`, { host: 'good.test' })).status, 200);
  t.is((await httpGet(`http://127.0.0.1:${http}/`, { host: 'bad.test' })).status, 404);
});

test('whoami answers in plain text by default', async (t) => {
  const port = await whoami(t, 'plain');
  const text = await (await fetch(`http://127.0.0.1:${port}/x`, { headers: { 'x-test': '1' } })).text();
  t.regex(text, /^name: plain\nGET \/x HTTP\/1\.1\n/);
  t.regex(text, /x-test: 1/i);
});
