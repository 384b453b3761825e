/**
 * `edgeway serve --workers 2 --https` as real processes: the workers serve the primary's TLS ticket keys
 * (ticket-key-share.ts), so a session from a first connection resumes on connections that land on either worker
 * (round-robin; the access lines say which worker took each), and on a worker restarted after a kill. Rotation is
 * the primary's timer, driven in test/unit/workers-ticket-keys.test.ts rather than waited for here.
 */
import test from 'ava';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { tempDir } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen, waitFor } from '../helpers/servers.ts';
import { accessLines, startWorkerGateway, type WorkerGateway } from '../helpers/worker-gateway.ts';

/** Connections made per round at most: round-robin alternates, so both workers take some long before this. */
const MAX_CONNECTIONS = 16;

/**
 * One TLS connection carrying one HTTP/1.1 request for `path`; whether it resumed `session`, and the session ticket
 * it was given (TLS 1.3 tickets arrive after the handshake, before the response).
 */
function request(
  port: number,
  path: string,
  session?: Buffer,
): Promise<{ readonly reused: boolean; readonly session: Buffer | undefined; readonly head: string }> {
  return new Promise((resolve, reject) => {
    let ticket: Buffer | undefined;
    let reused = false;
    let head = '';
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], ...(session === undefined ? {} : { session }) });
    socket.on('session', (s: Buffer) => (ticket = s));
    socket.on('secureConnect', () => {
      reused = socket.isSessionReused();
      socket.write(`GET ${path} HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (c: Buffer) => (head += c.toString('latin1')));
    socket.on('close', () => resolve({ reused, session: ticket, head: head.slice(0, head.indexOf('\r\n')) }));
    socket.on('error', reject);
  });
}

/**
 * Connections resuming `session`, one at a time, until the workers in `ids` have each taken at least one (bounded):
 * returns, per connection, whether it resumed and the worker that served it.
 */
async function resumeOnEvery(gw: WorkerGateway, port: number, session: Buffer, ids: readonly number[], tag: string) {
  const served: { readonly reused: boolean; readonly worker: number; readonly status: string }[] = [];
  const workerOf = (path: string): number | undefined => accessLines(gw).find((l) => l.path === path)?.worker;
  for (let i = 0; i < MAX_CONNECTIONS && !ids.every((id) => served.some((s) => s.worker === id)); i++) {
    const path = `/${tag}${i}`;
    const r = await request(port, path, session);
    await waitFor(() => workerOf(path) !== undefined, 10_000, `the access line of ${path}`);
    served.push({ reused: r.reused, worker: workerOf(path)!, status: r.head });
  }
  return served;
}

test.serial('a TLS session resumes on every worker, a restarted one included', async (t) => {
  const be = await listen(t, (req, res) => res.end(`hello ${req.url}`));
  const certs = join(await tempDir(t), 'certs');
  const yaml = docs(
    settings(`tls:\n  certificatesDir: ${certs}`),
    INGRESS_CLASS,
    serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: be.port }]),
    ingress('a', [{ host: 'a.test', path: '/', service: 'web' }]),
  );
  const gw = await startWorkerGateway(t, yaml, 2, { args: ['--https', '127.0.0.1:0'] });
  const port = gw.httpsPort;
  if (port === null) return t.fail('no HTTPS entrypoint');
  const workers = await gw.workers();
  t.is(workers.length, 2);

  const first = await request(port, '/first');
  t.false(first.reused);
  t.is(first.head, 'HTTP/1.1 200 OK');
  if (first.session === undefined) return t.fail('no session ticket');
  const served = await resumeOnEvery(
    gw,
    port,
    first.session,
    workers.map((w) => w.id),
    'r',
  );
  t.deepEqual([...new Set(served.map((s) => s.worker))].sort(), workers.map((w) => w.id).sort(), 'both workers took connections');
  t.true(
    served.every((s) => s.reused && s.status === 'HTTP/1.1 200 OK'),
    JSON.stringify(served),
  );

  // A worker killed and restarted gets the same keys at its fork: the first session still resumes on it.
  const [victim] = workers;
  if (victim === undefined) return t.fail('two workers expected');
  process.kill(victim.pid, 'SIGKILL');
  await waitFor(
    async () => {
      const now = await gw.workers();
      return now.length === 2 && now.every((w) => w.pid !== victim.pid && w.generation >= 1);
    },
    15_000,
    'the worker to be restarted',
  );
  const restarted = await gw.workers();
  const again = await resumeOnEvery(
    gw,
    port,
    first.session,
    restarted.map((w) => w.id),
    'again',
  );
  t.deepEqual([...new Set(again.map((s) => s.worker))].sort(), restarted.map((w) => w.id).sort(), 'both workers, the restarted one too');
  t.true(
    again.every((s) => s.reused && s.status === 'HTTP/1.1 200 OK'),
    JSON.stringify(again),
  );
});
