/**
 * `npm start` is `edgeway demo --config config.example.yaml`: the README's curl lines must get answers. The example's
 * fixed demo ports are swapped for free ones so the test can run beside anything else.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { unusedPort, waitFor } from '../helpers/servers.ts';

const ROOT = join(import.meta.dirname, '..', '..');

test('the example configuration serves the README curl lines with its demo backends', async (t) => {
  const dir = await tempDir(t);
  let example = await readFile(join(ROOT, 'config.example.yaml'), 'utf8');
  for (const fixed of [9001, 9002, 9003]) example = example.replaceAll(`: ${fixed}`, `: ${await unusedPort()}`);
  const file = join(dir, 'example.yaml');
  await writeFile(file, example);
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'dist', 'cli', 'main.js'),
      'demo',
      '--workers',
      '1',
      '--config',
      file,
      '--http',
      '127.0.0.1:0',
      '--https',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      '--state-dir',
      join(dir, 'state'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await waitFor(() => /demo: whoami .*\n.*demo: whoami .*\n.*demo: whoami /s.test(stderr), 20_000, 'the demo backends');
  const http = Number(/http 127\.0\.0\.1:(\d+)/.exec(stderr)![1]);
  const https = Number(/https 127\.0\.0\.1:(\d+)/.exec(stderr)![1]);

  const pods = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const reply = await httpGet(`http://127.0.0.1:${http}/`, { host: 'whoami.localhost', accept: 'application/json' });
    t.is(reply.status, 200);
    pods.add((JSON.parse(reply.text) as { name: string }).name);
  }
  t.deepEqual([...pods].sort(), ['whoami-1', 'whoami-2']);
  const api = await httpGet(`http://127.0.0.1:${http}/v1/users`, { host: 'api.localhost' });
  t.is(api.status, 200);
  t.regex(api.text, /GET \/v1\/users HTTP\/1\.1/);
  const none = await httpGet(`http://127.0.0.1:${http}/`, { host: 'nowhere.localhost' });
  t.is(none.headers['x-edgeway-error'], 'EDGEWAY_NO_ROUTE');

  // curl --cacert config.example.ca.crt --resolve secure.localhost:8443:127.0.0.1 https://secure.localhost:8443/
  const ca = await readFile(join(ROOT, 'config.example.ca.crt'), 'utf8');
  const secure = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: https, servername: 'secure.localhost', headers: { host: 'secure.localhost' }, ca, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
  t.is(secure.status, 200, 'the example certificate verifies against config.example.ca.crt');
  t.regex(secure.text, /whoami-[12]/);
  const redirect = await httpGet(`http://127.0.0.1:${http}/page?x=1`, { host: 'secure.localhost' });
  t.is(redirect.status, 308);
  t.is(redirect.headers.location, `https://secure.localhost:${https}/page?x=1`);

  child.kill('SIGTERM');
  t.is(await exited, 0);
});
