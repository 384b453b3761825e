/**
 * Hot reload on real loopback sockets: 20 reloads under steady keep-alive load (no failure, no removed route
 * answering after its swap), an unreadable reload that keeps the old configuration serving and shows its error
 * with file and line, rename-style replacement of a watched file and of a file in a watched directory, POST
 * /reload, and an entrypoint address change that rebinds only what changed.
 */
import test from 'ava';
import { Agent, request } from 'node:http';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Edgeway } from '../../src/edgeway.ts';
import { startEdgeway, tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen, waitFor } from '../helpers/servers.ts';

type T = Parameters<typeof listen>[0];

async function named(t: T, name: string) {
  return listen(t, (_req, res) => {
    res.setHeader('x-backend', name);
    res.end(name);
  });
}

/** GET over a shared keep-alive agent; resolves with the status (0 for a transport error) and the backend name. */
function keepAliveGet(agent: Agent, port: number, host: string): Promise<{ status: number; backend: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, backend: String(res.headers['x-backend'] ?? '') }));
      res.on('error', () => resolve({ status: 0, backend: '' }));
    });
    req.on('error', () => resolve({ status: 0, backend: '' }));
    req.end();
  });
}

test('20 reloads adding and removing routes and endpoints under keep-alive load: zero failures, removed routes gone at once', async (t) => {
  const a = await named(t, 'a');
  const b = await named(t, 'b');
  const c = await named(t, 'c');
  // Generation i: the stable route's endpoints rotate over {a}, {a,b}, {b}; route r<i> exists, r<i-1> is removed.
  const stableSets = [[a], [a, b], [b]];
  const config = (i: number): string =>
    docs(
      INGRESS_CLASS,
      settings('reload: {watch: false}\nlogging: {access: false}'),
      serviceWithEndpoints(
        'stable',
        stableSets[i % 3]!.map((s) => ({ ip: '127.0.0.1', port: s.port })),
      ),
      serviceWithEndpoints(`svc-${i}`, [{ ip: '127.0.0.1', port: c.port }]),
      ingress('stable', [{ host: 'stable.test', path: '/', service: 'stable' }]),
      ingress(`r${i}`, [{ host: `r${i}.test`, path: '/', service: `svc-${i}` }]),
    );
  const gw = await startEdgeway(t, config(0));
  const file = join(gw.dir, 'config.yaml');
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  t.teardown(() => agent.destroy());

  let done = false;
  let sent = 0;
  const failures: number[] = [];
  const deadline = Date.now() + 30_000;
  const worker = async (): Promise<void> => {
    while (!done && sent < 50_000 && Date.now() < deadline) {
      sent++;
      const r = await keepAliveGet(agent, gw.port, 'stable.test');
      if (r.status !== 200) failures.push(r.status);
    }
  };
  const workers = Array.from({ length: 8 }, worker);

  const lateAnswers: string[] = [];
  for (let i = 1; i <= 20; i++) {
    await writeFile(file, config(i));
    const outcome = await gw.edgeway.reload('api');
    t.true(outcome.ok);
    t.is(outcome.generation, i + 1);
    // The swap is done: the route removed by it must not answer any more, the new one must.
    const removed = await keepAliveGet(agent, gw.port, `r${i - 1}.test`);
    if (removed.status !== 404) lateAnswers.push(`r${i - 1} answered ${removed.status} after generation ${i + 1}`);
    t.is((await keepAliveGet(agent, gw.port, `r${i}.test`)).status, 200);
  }
  done = true;
  await Promise.all(workers);
  t.true(sent > 20, `load ran (${sent} requests)`);
  t.deepEqual(failures, [], `${failures.length} of ${sent} requests failed`);
  t.deepEqual(lateAnswers, []);
  t.is(gw.edgeway.snapshot.generation, 21);
  t.is(gw.edgeway.reloadStatus.successes, 20);
});

test('unreadable YAML is rejected whole: the old configuration keeps serving, /config/status shows file and line', async (t) => {
  const a = await named(t, 'a');
  const good = docs(
    INGRESS_CLASS,
    settings('reload: {watch: false}'),
    serviceWithEndpoints('a', [{ ip: '127.0.0.1', port: a.port }]),
    ingress('a', [{ host: 'a.test', path: '/', service: 'a' }]),
  );
  const gw = await startEdgeway(t, good);
  const file = join(gw.dir, 'config.yaml');
  await writeFile(file, good + '---\nkind: Service\nmetadata: {name: [broken\n');
  const reply = await httpGet(`${gw.adminUrl}/reload`, {}, 'POST');
  t.is(reply.status, 422);
  t.is((await httpGet(`${gw.url}/`, { host: 'a.test' })).text, 'a', 'generation 1 still serves');
  const status = JSON.parse((await httpGet(`${gw.adminUrl}/config/status`)).text) as {
    generation: number;
    lastSuccess: string;
    lastError: { trigger: string; diagnostics: { code: string; position: { file: string; line: number } }[] };
    reloads: { failed: number };
  };
  t.is(status.generation, 1);
  t.is(status.reloads.failed, 1);
  t.is(status.lastError.trigger, 'api');
  const syntax = status.lastError.diagnostics.find((d) => d.code === 'EW_YAML_SYNTAX');
  t.is(syntax?.position.file, file);
  t.true((syntax?.position.line ?? 0) > good.split('\n').length);

  // A file that vanished is unreadable input too.
  await rename(file, file + '.gone');
  t.false((await gw.edgeway.reload('SIGHUP')).ok);
  t.is((await httpGet(`${gw.url}/`, { host: 'a.test' })).text, 'a');
  await rename(file + '.gone', file);

  // An invalid single object degrades only itself; the reload succeeds and clears the last error.
  await writeFile(file, good + '---\napiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name}\nspec: {ports: [{port: 80}]}\n');
  const ok = await gw.edgeway.reload('api');
  t.true(ok.ok);
  t.is(ok.generation, 2);
  const after = JSON.parse((await httpGet(`${gw.adminUrl}/config/status`)).text) as { lastError: unknown; skippedObjects: number };
  t.is(after.lastError, null);
  t.is(after.skippedObjects, 1);
});

test('a watched file replaced by rename, and a new file in a watched directory, trigger reloads', async (t) => {
  const a = await named(t, 'a');
  const b = await named(t, 'b');
  const dir = await tempDir(t);
  const confDir = join(dir, 'conf.d');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(confDir);
  const main = join(dir, 'main.yaml');
  await writeFile(
    main,
    docs(INGRESS_CLASS, serviceWithEndpoints('a', [{ ip: '127.0.0.1', port: a.port }]), ingress('a', [{ host: 'x.test', path: '/', service: 'a' }])),
  );
  await writeFile(join(confDir, '10-b.yaml'), serviceWithEndpoints('b', [{ ip: '127.0.0.1', port: b.port }]));
  const edgeway = await Edgeway.start({
    configPaths: [main, confDir],
    overrides: { http: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, stateDir: join(dir, 'state'), logLevel: 'silent' },
    report: () => undefined,
  });
  t.teardown(() => edgeway.close(0));
  const url = `http://127.0.0.1:${edgeway.addresses[0]!.port}/`;
  t.is((await httpGet(url, { host: 'x.test' })).text, 'a');

  // An editor's save: write a temporary file beside it, then rename it over the original.
  const tmp = join(dir, '.main.yaml.swp');
  await writeFile(
    tmp,
    docs(INGRESS_CLASS, serviceWithEndpoints('a', [{ ip: '127.0.0.1', port: a.port }]), ingress('a', [{ host: 'x.test', path: '/', service: 'b' }])),
  );
  await rename(tmp, main);
  await waitFor(() => edgeway.snapshot.generation >= 2, 10_000, 'the rename to trigger a reload');
  await waitFor(async () => (await httpGet(url, { host: 'x.test' })).text === 'b', 10_000, 'the new route');

  const before = edgeway.snapshot.generation;
  await writeFile(join(confDir, '20-c.yaml'), ingress('c', [{ host: 'c.test', path: '/', service: 'a' }]));
  await waitFor(() => edgeway.snapshot.generation > before, 10_000, 'a new file in the directory to trigger a reload');
  await waitFor(async () => (await httpGet(url, { host: 'c.test' })).status === 200, 10_000, 'the route from the new file');
  t.pass();
});

test('a changed entrypoint address is rebound; unchanged listeners and keep-alive connections stay', async (t) => {
  const a = await named(t, 'a');
  const base = docs(INGRESS_CLASS, serviceWithEndpoints('a', [{ ip: '127.0.0.1', port: a.port }]), ingress('a', [{ host: 'a.test', path: '/', service: 'a' }]));
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  const withHttp = (address: string) =>
    docs(base, settings(`reload: {watch: false}\nentrypoints: {http: {address: "${address}"}}\nadmin: {address: "127.0.0.1:0"}`));
  await writeFile(file, withHttp('127.0.0.2:0'));
  const edgeway = await Edgeway.start({ configPaths: [file], overrides: { stateDir: join(dir, 'state'), logLevel: 'silent' }, report: () => undefined });
  t.teardown(() => edgeway.close(0));
  const first = edgeway.addresses[0]!;
  t.is(first.host, '127.0.0.2');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const sockets = new Set<unknown>();
  const viaAgent = (port: number, host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host, port, path: '/', headers: { host: 'a.test' }, agent }, (res) => {
        sockets.add(res.socket);
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  t.is(await viaAgent(first.port, '127.0.0.2'), 200);

  // A reload that changes nothing about the entrypoint keeps the socket and the client's connection.
  await writeFile(file, withHttp('127.0.0.2:0') + '---\n' + ingress('b', [{ host: 'b.test', path: '/', service: 'a' }]));
  t.true((await edgeway.reload('api')).ok);
  t.deepEqual(edgeway.addresses[0], first);
  t.is(await viaAgent(first.port, '127.0.0.2'), 200);
  t.is(sockets.size, 1, 'the keep-alive connection survived the reload');

  await writeFile(file, withHttp('127.0.0.3:0'));
  t.true((await edgeway.reload('api')).ok);
  const moved = edgeway.addresses[0]!;
  t.is(moved.host, '127.0.0.3');
  t.is((await httpGet(`http://127.0.0.3:${moved.port}/`, { host: 'a.test' })).status, 200);
});
