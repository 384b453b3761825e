/**
 * Graceful stop through the real bin: SIGTERM with a slow request in flight. /readyz turns 503, new connections are
 * refused, the slow request completes with 200 and `Connection: close`, and the process exits 0. A second signal
 * exits at once. SIGHUP reloads.
 */
import test from 'ava';
import { Agent, request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { startServeProcess } from '../helpers/serve-process.ts';
import { listen, waitFor } from '../helpers/servers.ts';

type T = Parameters<typeof listen>[0];

/** A backend that holds every request until `release()` is called. */
async function slowBackend(t: T) {
  const held: (() => void)[] = [];
  const server = await listen(t, (req, res) => {
    if (req.url === '/fast') return void res.end('fast');
    held.push(() => res.end('slow done'));
  });
  return { ...server, held, release: () => held.splice(0).forEach((f) => f()) };
}

async function serve(t: T, yaml: string) {
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  await writeFile(file, yaml);
  const served = await startServeProcess(t, [
    '--workers',
    '1',
    '--config',
    file,
    '--http',
    '127.0.0.1:0',
    '--admin',
    '127.0.0.1:0',
    '--state-dir',
    join(dir, 'state'),
    '--drain-timeout',
    '20',
  ]);
  return { child: served.child, file, exited: served.exited, http: served.httpPort, admin: served.adminPort, out: served.stdout };
}

function startSlow(agent: Agent, port: number): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/slow', headers: { host: 'slow.test' }, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ res, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });
}

const config = (port: number) =>
  docs(INGRESS_CLASS, serviceWithEndpoints('slow', [{ ip: '127.0.0.1', port }]), ingress('slow', [{ host: 'slow.test', path: '/', service: 'slow' }]));

test('SIGTERM drains: readyz 503, no new connections, the slow request completes with 200 and Connection: close, exit 0', async (t) => {
  const backend = await slowBackend(t);
  const gw = await serve(t, config(backend.port));
  const agent = new Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  const slow = startSlow(agent, gw.http);
  await waitFor(() => backend.held.length === 1, 10_000, 'the slow request to reach the backend');

  gw.child.kill('SIGTERM');
  await waitFor(async () => (await httpGet(`http://127.0.0.1:${gw.admin}/readyz`)).status === 503, 10_000, '/readyz to turn 503');
  t.true(await refused(gw.http), 'the entrypoint stopped accepting');
  backend.release();
  const { res, body } = await slow;
  t.is(res.statusCode, 200);
  t.is(body, 'slow done');
  t.is(res.headers.connection, 'close');
  t.is(await gw.exited, 0);
  t.regex(gw.out(), /"msg":"draining"/, 'the log was flushed before exit');
});

test('a second signal exits at once, without waiting for the drain', async (t) => {
  const backend = await slowBackend(t);
  const gw = await serve(t, config(backend.port));
  const slow = startSlow(new Agent(), gw.http).catch(() => null);
  await waitFor(() => backend.held.length === 1, 10_000, 'the slow request to reach the backend');
  gw.child.kill('SIGTERM');
  await waitFor(async () => (await httpGet(`http://127.0.0.1:${gw.admin}/readyz`)).status === 503, 10_000, '/readyz to turn 503');
  gw.child.kill('SIGINT');
  t.is(await gw.exited, 1);
  await slow;
});

test('SIGHUP reloads the configuration through the real bin', async (t) => {
  const backend = await slowBackend(t);
  const gw = await serve(t, docs(config(backend.port), settings('reload: {watch: false}')));
  t.is((await httpGet(`http://127.0.0.1:${gw.http}/fast`, { host: 'other.test' })).status, 404);
  await writeFile(
    gw.file,
    docs(config(backend.port), settings('reload: {watch: false}'), ingress('other', [{ host: 'other.test', path: '/', service: 'slow' }])),
  );
  gw.child.kill('SIGHUP');
  await waitFor(async () => (await httpGet(`http://127.0.0.1:${gw.admin}/config/status`)).text.includes('"generation": 2'), 10_000, 'generation 2');
  const reply = await httpGet(`http://127.0.0.1:${gw.http}/fast`, { host: 'other.test' });
  t.is(reply.status, 200);
  t.is(reply.text, 'fast');
  gw.child.kill('SIGTERM');
  t.is(await gw.exited, 0);
});
