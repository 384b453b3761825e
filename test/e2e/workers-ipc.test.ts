/**
 * Nothing crosses processes per request (docs/performance.md): with `--workers 2` and logging off, hundreds of
 * requests on open keep-alive connections send and receive no IPC message at all in either worker — neither
 * edgeway's (logs, metrics, health verdicts) nor node:cluster's (a connection handed over). Every message of each
 * worker is counted by test/helpers/ipc-counter.ts, loaded into the workers through NODE_OPTIONS.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { tempDir } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen, waitFor } from '../helpers/servers.ts';
import { startWorkerGateway } from '../helpers/worker-gateway.ts';

const COUNTER = join(import.meta.dirname, '..', 'helpers', 'ipc-counter.ts');
const CONNECTIONS = 4;
const REQUESTS = 400;

function get(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { host: 'a.test' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

test.serial('requests on open connections send no IPC message between the primary and its workers', async (t) => {
  const be = await listen(t, (_req, res) => res.end('ok'));
  const dir = await tempDir(t);
  const yaml = docs(
    // No access lines, and no start-up warnings whose batch could be flushed (every 200 ms) during the requests.
    settings('logging:\n  access: false\n  level: error'),
    INGRESS_CLASS,
    serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: be.port }]),
    ingress('a', [{ host: 'a.test', path: '/', service: 'web' }]),
  );
  const gw = await startWorkerGateway(t, yaml, 2, { env: { NODE_OPTIONS: `--import ${COUNTER}`, EDGEWAY_IPC_COUNTS: dir } });
  const workers = await gw.workers();
  t.is(workers.length, 2);
  let round = 0;
  /** Every worker's counts, as written on SIGUSR2. */
  const counts = async (): Promise<Record<string, number>[]> => {
    round++;
    const files = workers.map((w) => join(dir, `${w.pid}-${round}.json`));
    for (const w of workers) process.kill(w.pid, 'SIGUSR2');
    await waitFor(() => files.every((f) => existsSync(f)), 10_000, 'the workers to write their counts');
    return files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, number>);
  };

  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  t.teardown(() => agent.destroy());
  // Open the connections (each handed to a worker by the primary: those messages happen here, once per connection).
  t.deepEqual(await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => get(agent, gw.port, `/open${i}`))), Array(CONNECTIONS).fill(200));
  const before = await counts();
  t.true(
    before.every((c) => (c['received newconn'] ?? 0) > 0),
    `both workers took connections: ${JSON.stringify(before)}`,
  );
  for (let sent = 0; sent < REQUESTS; sent += CONNECTIONS) {
    const statuses = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => get(agent, gw.port, `/r${sent + i}`)));
    t.deepEqual(statuses, Array(CONNECTIONS).fill(200));
  }
  const after = await counts();
  // The access log, when on, is the one exception: its lines cross in batches (ipc-log.ts), not per request.
  t.deepEqual(after, before, `IPC messages during ${REQUESTS} requests`);
});
