/**
 * Another cluster's files are watched like the main configuration: rewriting cluster b's manifest (its Service's
 * endpoints move to another backend) is served without SIGHUP or POST /reload.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { clusterWatchPaths } from '../../src/reload/cluster-watch.ts';
import { loadConfigText } from '../../src/config/load-config.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, ingress, INGRESS_CLASS, settings } from '../helpers/manifests.ts';
import { startEdgeway, tempDir } from '../helpers/edgeway.ts';
import { backend } from '../fixtures/resilience-fixtures.ts';
import { eventually, federatedService } from '../fixtures/federation-fixtures.ts';

test('an edit to another cluster’s file reloads by itself', async (t) => {
  const first = await backend(t, 'first', '127.0.7.1');
  const second = await backend(t, 'second', '127.0.7.2');
  const dir = await tempDir(t);
  const file = join(dir, 'b.yaml');
  await writeFile(file, federatedService('app', 80, [first]));
  const running = await startEdgeway(
    t,
    docs(
      settings(`clusters:\n  - {name: b, config: ["${file}"]}`),
      INGRESS_CLASS,
      federatedService('app', 80, []),
      ingress('app', [{ host: 'app.test', path: '/', service: 'app' }]),
    ),
  );
  const servedBy = (name: string) =>
    eventually(`served by ${name}`, async () => {
      const reply = await httpGet(`${running.url}/`, { host: 'app.test' });
      return reply.status === 200 && reply.text === name;
    });
  await servedBy('first');
  const generation = running.edgeway.snapshot.generation;
  await writeFile(file, federatedService('app', 80, [second]));
  await servedBy('second');
  t.true(running.edgeway.snapshot.generation > generation);
});

test('the watched paths follow the settings: every cluster’s, once each, none with reload.watch off', (t) => {
  const load = (extra: string) =>
    loadConfigText([
      {
        path: '/etc/edgeway/main.yaml',
        text: settings(`${extra}clusters:\n  - {name: b, config: [b/, shared.yaml]}\n  - {name: c, config: [c.yaml, shared.yaml]}`),
      },
    ]).settings;
  t.deepEqual(clusterWatchPaths(load('')), ['/etc/edgeway/b', '/etc/edgeway/c.yaml', '/etc/edgeway/shared.yaml']);
  t.deepEqual(clusterWatchPaths(load('reload: {watch: false}\n')), []);
});
