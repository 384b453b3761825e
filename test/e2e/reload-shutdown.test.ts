/**
 * A reload racing a shutdown: the Reloader's stop() (pure steps, no sockets) and, end to end, a reload started
 * just before close() whose swap binds a LoadBalancer listener — close() waits for it, so nothing stays listening.
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Reloader, type Built, type ReloadSteps } from '../../src/reload/reloader.ts';
import type { Snapshot } from '../../src/snapshot/snapshot.ts';
import { addressSettings, loopbackBlock, pod, serve, service } from '../fixtures/addresses-fixtures.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { docs } from '../helpers/manifests.ts';
import { unusedPort } from '../helpers/servers.ts';

/** Steps whose swap waits until released; counts builds. */
function gatedSteps(): { steps: ReloadSteps<Built>; builds: () => number; release: () => void } {
  let builds = 0;
  let release = (): void => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const current = { generation: 1 } as Snapshot;
  const steps: ReloadSteps<Built> = {
    build: async (generation) => {
      builds++;
      return { snapshot: { generation } as Snapshot };
    },
    swap: () => gate,
    current: () => current,
  };
  return { steps, builds: () => builds, release };
}

/** Lets every pending callback and promise reaction run (not a wait for time). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

test('Reloader.stop waits for the running swap, refuses the queued reload and every later one', async (t) => {
  const { steps, builds, release } = gatedSteps();
  const reloader = new Reloader(steps);
  const running = reloader.reload('file');
  const queued = reloader.reload('SIGHUP');
  await settle();
  let stopped = false;
  const stopping = reloader.stop().then(() => (stopped = true));
  await settle();
  t.false(stopped, 'stop() resolves only after the swap under way');
  release();
  await stopping;
  t.true((await running).ok);
  t.like(await queued, { ok: false, trigger: 'SIGHUP', refused: 'edgeway is shutting down' });
  t.like(await reloader.reload('api'), { ok: false, refused: 'edgeway is shutting down', durationMs: 0 });
  t.is(builds(), 1, 'neither the queued reload nor the later one was built');
  t.is(reloader.status.failures, 0, 'a refused reload is not a failed one');
});

test('Reloader.stop with nothing running resolves at once', async (t) => {
  const reloader = new Reloader(gatedSteps().steps);
  await reloader.stop();
  t.like(await reloader.reload('api'), { ok: false, refused: 'edgeway is shutting down' });
});

test('close() during a reload that binds a LoadBalancer listener: the reload finishes first, and its listener is closed too', async (t) => {
  const block = loopbackBlock();
  const app = await pod(t, 'app');
  const port = await unusedPort();
  const dir = await tempDir(t);
  const settings = addressSettings({ pool: [`${block}.0/30`], nodes: [`${block}.9`] });
  const { edgeway, stop } = await serve(t, dir, docs(settings));
  // The Service arrives with a reload; close() is called while that reload is still loading the file.
  await writeFile(
    join(dir, 'config.yaml'),
    docs(settings, service({ name: 'web', ports: [{ port, appProtocol: 'http' }], endpoints: [{ ip: '127.0.0.1', port: app.port }] })),
  );
  const reloading = edgeway.reload('api');
  await stop();
  const outcome = await reloading;
  t.true(outcome.ok, JSON.stringify(outcome));
  t.deepEqual(edgeway.snapshot.addresses.services.get('default/web')?.loadBalancer, { kind: 'assigned', pool: 'test', ips: [`${block}.0`] });
  const refused = await new Promise<string>((resolve) => {
    const socket = connect({ host: `${block}.0`, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
  t.is(refused, 'ECONNREFUSED', 'the listener the reload bound was closed with the rest');
});
