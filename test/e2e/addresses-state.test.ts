/**
 * Addresses kept across restarts: stop and start in-process on the same state dir keeps every ClusterIP, NodePort
 * and LoadBalancer IP (even with the Services listed in another order); a Service removed frees its IP for one that
 * was pending; a corrupt state file stops the real bin with exit 1, the file named and the way out given, nothing
 * bound.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { addressSettings, loopbackBlock, pod, serve, service } from '../fixtures/addresses-fixtures.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs } from '../helpers/manifests.ts';
import { unusedPort } from '../helpers/servers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

test('restart with the same state dir keeps every address, whatever order the Services come in', async (t) => {
  const block = loopbackBlock();
  const a = await pod(t, 'pod-a');
  const port = await unusedPort();
  const settings = addressSettings({ pool: [`${block}.0/28`], nodes: [`${block}.100`] });
  const svc = (name: string, type: 'ClusterIP' | 'NodePort' | 'LoadBalancer') =>
    service({ name, type, ports: [{ port, appProtocol: 'http' }], endpoints: [{ ip: '127.0.0.1', port: a.port }] });
  const names: [string, 'ClusterIP' | 'NodePort' | 'LoadBalancer'][] = [
    ['lb-1', 'LoadBalancer'],
    ['lb-2', 'LoadBalancer'],
    ['np', 'NodePort'],
    ['cip', 'ClusterIP'],
  ];
  const dir = await tempDir(t);
  const first = await serve(t, dir, docs(settings, ...names.map(([n, ty]) => svc(n, ty))));
  const before = [...first.edgeway.snapshot.addresses.services.values()];
  const recorded = JSON.parse(await readFile(join(dir, 'state', 'allocations.json'), 'utf8')) as { services: Record<string, unknown> };
  t.deepEqual(Object.keys(recorded.services).sort(), ['default/cip', 'default/kubernetes', 'default/lb-1', 'default/lb-2', 'default/np']);
  await first.stop();

  // The second start lists them the other way round, and adds a Service that sorts first: nobody moves.
  const second = await serve(t, dir, docs(settings, svc('aaa', 'LoadBalancer'), ...[...names].reverse().map(([n, ty]) => svc(n, ty))));
  for (const b of before) t.deepEqual(second.edgeway.snapshot.addresses.services.get(b.service), b, b.service);
  const lb1 = before.find((b) => b.service === 'default/lb-1')?.loadBalancer;
  t.is(lb1?.kind, 'assigned');
  if (lb1?.kind === 'assigned') t.is((await httpGet(`http://${lb1.ips[0]}:${port}/`, { host: 'x' })).text, 'pod-a');
});

test('deleting a Service frees its IP for a pending one', async (t) => {
  const block = loopbackBlock();
  const a = await pod(t, 'pod-a');
  const port = await unusedPort();
  const settings = addressSettings({ pool: [`${block}.5/32`], nodes: [`${block}.100`] });
  const svc = (name: string, created: string) =>
    service({ name, created, ports: [{ port, appProtocol: 'http' }], endpoints: [{ ip: '127.0.0.1', port: a.port }] });
  const dir = await tempDir(t);
  const first = await serve(t, dir, docs(settings, svc('old', '2026-01-01T00:00:00Z'), svc('new', '2026-02-01T00:00:00Z')));
  t.like(first.edgeway.snapshot.addresses.services.get('default/old')?.loadBalancer, { kind: 'assigned', ips: [`${block}.5`] });
  t.like(first.edgeway.snapshot.addresses.services.get('default/new')?.loadBalancer, { kind: 'pending', reason: 'EW_LB_POOL_EXHAUSTED' });
  await first.stop();

  const second = await serve(t, dir, docs(settings, svc('new', '2026-02-01T00:00:00Z')));
  t.like(second.edgeway.snapshot.addresses.services.get('default/new')?.loadBalancer, { kind: 'assigned', ips: [`${block}.5`] });
  t.is((await httpGet(`http://${block}.5:${port}/`, { host: 'x' })).text, 'pod-a');
  const recorded = JSON.parse(await readFile(join(dir, 'state', 'allocations.json'), 'utf8')) as { services: Record<string, unknown> };
  t.deepEqual(Object.keys(recorded.services), ['default/kubernetes', 'default/new'], 'the built-in kubernetes Service is recorded too');
});

test('a corrupt state file stops the real bin: exit 1, the file and the way out named, nothing bound', async (t) => {
  const dir = await tempDir(t);
  const state = join(dir, 'state');
  await mkdir(state);
  await writeFile(join(state, 'allocations.json'), '{"version": 1, "services": {');
  const file = join(dir, 'config.yaml');
  await writeFile(file, service({ name: 'web', ports: [{ port: 8080 }], endpoints: [] }));
  const [http, admin] = [await unusedPort(), await unusedPort()];
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--workers', '1', '--config', file, '--http', `127.0.0.1:${http}`, '--admin', `127.0.0.1:${admin}`, '--state-dir', state],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  t.is(code, 1);
  t.true(stderr.includes('EW_STATE_CORRUPT'), stderr);
  t.true(stderr.includes(join(state, 'allocations.json')), stderr);
  t.regex(stderr, /mv .*allocations\.json .*allocations\.json\.bad/);
  t.false(stderr.includes('serving'), stderr);
  // Nothing was bound: both ports are still free.
  for (const port of [http, admin]) {
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  }
  // The file was not replaced.
  t.is(await readFile(join(state, 'allocations.json'), 'utf8'), '{"version": 1, "services": {');
});
