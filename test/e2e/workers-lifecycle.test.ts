/**
 * Worker processes over their life: a killed worker loses only its own requests, the others finish theirs and it is
 * restarted with the current generation; SIGTERM drains every worker; WebSocket tunnels survive a reload in every
 * worker.
 */
import test from 'ava';
import { httpGet, type Reply } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints } from '../helpers/manifests.ts';
import { listen, waitFor } from '../helpers/servers.ts';
import { echoServer, openWebSocket, roundTrip } from '../helpers/websocket.ts';
import { accessLines, startWorkerGateway } from '../helpers/worker-gateway.ts';

type T = Parameters<typeof listen>[0];

/** A backend that holds every request but /fast until `release()`. */
async function heldBackend(t: T) {
  const held: (() => void)[] = [];
  const server = await listen(t, (req, res) => {
    if (req.url === '/fast') return void res.end('fast');
    held.push(() => res.end('held done'));
  });
  return { ...server, held, release: () => held.splice(0).forEach((f) => f()) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function config(port: number): string {
  return docs(INGRESS_CLASS, serviceWithEndpoints('web', [{ ip: '127.0.0.1', port }]), ingress('a', [{ host: 'a.test', path: '/', service: 'web' }]));
}

test.serial('a killed worker loses only its own requests, and comes back with the current generation', async (t) => {
  const be = await heldBackend(t);
  const gw = await startWorkerGateway(t, config(be.port), 2);
  t.is((await httpGet(`${gw.adminUrl}/reload`, {}, 'POST')).status, 200);
  const [victim, survivor] = await gw.workers();
  if (victim === undefined || survivor === undefined) return t.fail('two workers expected');

  const outcomes: (Reply | Error)[] = [];
  const requests = Array.from({ length: 6 }, (_, i) =>
    httpGet(`${gw.url}/h${i}`, { host: 'a.test' }).then(
      (r) => void outcomes.push(r),
      (err: Error) => void outcomes.push(err),
    ),
  );
  await waitFor(() => be.held.length === 6, 10_000, 'six requests at the backend');
  process.kill(victim.pid, 'SIGKILL');
  // The victim's clients see their connections end; the survivor's requests are still held.
  await waitFor(() => outcomes.length > 0, 10_000, "the victim's requests to fail");
  await waitFor(async () => (await gw.workers()).every((w) => w.generation === 2 && w.pid !== victim.pid), 15_000, 'the worker to be restarted');
  const lost = outcomes.length;
  t.true(outcomes.every((o) => o instanceof Error));
  t.true(lost < 6, 'the survivor had requests in flight');
  be.release();
  await Promise.all(requests);
  const finished = outcomes.slice(lost) as Reply[];
  t.is(finished.length, 6 - lost);
  t.true(finished.every((r) => r.status === 200 && r.text === 'held done'));
  // The restarted worker serves beside the survivor.
  const restarted = (await gw.workers()).find((w) => w.pid !== survivor.pid);
  if (restarted === undefined) return t.fail('a restarted worker expected');
  t.true(alive(restarted.pid));
  for (let i = 0; i < 8; i++) t.is((await httpGet(`${gw.url}/fast`, { host: 'a.test' })).status, 200);
  await waitFor(() => accessLines(gw).some((l) => l.path === '/fast' && l.worker === restarted.id), 10_000, 'the restarted worker to serve');
  t.regex(gw.stdout(), /worker restarted/);
});

/** Requests in flight per worker id, from `/debug/upstreams` (each worker's own count of its open requests). */
async function inFlightByWorker(adminUrl: string): Promise<Map<number, number>> {
  const body = JSON.parse((await httpGet(`${adminUrl}/debug/upstreams`)).text) as {
    backends: { endpoints: { workers: { worker: number; inFlight: number }[] }[] }[];
  };
  const counts = new Map<number, number>();
  for (const b of body.backends) for (const e of b.endpoints) for (const w of e.workers) counts.set(w.worker, (counts.get(w.worker) ?? 0) + w.inFlight);
  return counts;
}

test.serial('SIGTERM drains every worker: in-flight requests finish, then all exit', async (t) => {
  const be = await heldBackend(t);
  const gw = await startWorkerGateway(t, config(be.port), 2);
  const workers = await gw.workers();
  // Held requests until each worker has at least one in flight: node:cluster deals connections round-robin, but a
  // worker busy when one arrives may see it pass to the other, so a few more may be needed (bounded).
  const requests: Promise<Reply>[] = [];
  for (let sent = 0; sent < 12; sent++) {
    requests.push(httpGet(`${gw.url}/d${sent}`, { host: 'a.test' }));
    await waitFor(() => be.held.length === requests.length, 10_000, `${requests.length} requests at the backend`);
    const counts = await inFlightByWorker(gw.adminUrl);
    if (workers.every((w) => (counts.get(w.id) ?? 0) > 0)) break;
  }
  const counts = await inFlightByWorker(gw.adminUrl);
  t.true(
    workers.every((w) => (counts.get(w.id) ?? 0) > 0),
    `every worker holds a request: ${JSON.stringify([...counts])}`,
  );
  gw.child.kill('SIGTERM');
  await waitFor(async () => (await httpGet(`${gw.adminUrl}/readyz`).catch(() => ({ status: 0 }))).status === 503, 10_000, 'readyz to turn 503');
  // Nothing new is accepted while the workers drain.
  await waitFor(
    () =>
      httpGet(`${gw.url}/fast`, { host: 'a.test' }).then(
        () => false,
        () => true,
      ),
    10_000,
    'the entrypoint to stop accepting',
  );
  t.true(
    workers.every((w) => alive(w.pid)),
    'every worker waits for its requests in flight',
  );
  be.release();
  const replies = await Promise.all(requests);
  t.true(replies.every((r) => r.status === 200 && r.text === 'held done'));
  t.is(await gw.exited, 0);
  await waitFor(() => workers.every((w) => !alive(w.pid)), 10_000, 'every worker to exit');
  t.pass();
});

test.serial('WebSocket tunnels survive a reload in every worker', async (t) => {
  const echo = await echoServer(t);
  const gw = await startWorkerGateway(t, config(echo.port), 2);
  const sockets = await Promise.all(Array.from({ length: 4 }, () => openWebSocket(t, `ws://127.0.0.1:${gw.port}/ws`, 'a.test')));
  for (const [i, ws] of sockets.entries()) t.is(await roundTrip(ws, `before ${i}`), `before ${i}`);
  t.is((await httpGet(`${gw.adminUrl}/reload`, {}, 'POST')).status, 200);
  t.true((await gw.workers()).every((w) => w.generation === 2));
  for (const [i, ws] of sockets.entries()) t.is(await roundTrip(ws, `after ${i}`), `after ${i}`);
  t.is(echo.closed(), 0);
});
