/**
 * Per-route connect and send timeouts (ingress-nginx's proxy-connect-timeout and proxy-send-timeout): pool keys and
 * the send-stall verdict as tables, the compiled snapshot and its bound pools, then real loopback peers — a listener
 * whose accept queue is full (connects hang) and a backend that reads a request head and then stops reading.
 */
import test, { type ExecutionContext } from 'ava';
import { request } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { loadConfigText } from '../../src/config/load-config.ts';
import { DEFAULT_SETTINGS } from '../../src/config/settings-defaults.ts';
import { bindSnapshot, originsOf } from '../../src/dataplane/bound-snapshot.ts';
import { EndpointStates } from '../../src/dataplane/health/endpoint-states.ts';
import { sendVerdict } from '../../src/dataplane/request/send-watch.ts';
import { poolKey, UpstreamRegistry } from '../../src/dataplane/upstream/upstream-registry.ts';
import { poolsByService } from '../../src/exporter/pools-by-service.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { startEdgeway } from '../helpers/edgeway.ts';
import { httpGet, type Reply } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen, waitFor } from '../helpers/servers.ts';
import { stalledListener } from '../helpers/stalled-listener.ts';

const NGINX = 'nginx.ingress.kubernetes.io/';

function annotate(yaml: string, name: string, annotations: Record<string, string>): string {
  const lines = Object.entries(annotations)
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return yaml.replace(`metadata:\n  name: ${name}\n`, `metadata:\n  name: ${name}\n  annotations:\n${lines}\n`);
}

function compile(yaml: string) {
  const load = loadConfigText([{ path: 'c.yaml', text: yaml }]);
  return compileSnapshot(new ObjectStore(load.objects), load.settings, 1);
}

test('pool keys: the default connect timeout adds nothing, a route timeout adds #connect=<ms>', (t) => {
  const table: readonly [Parameters<typeof poolKey>, string][] = [
    [['http://10.0.0.1:80', null], 'http://10.0.0.1:80'],
    [['http://10.0.0.1:80', null, false, 0], 'http://10.0.0.1:80'],
    [['http://10.0.0.1:80', null, false, 2500], 'http://10.0.0.1:80#connect=2500'],
    [['http://10.0.0.1:80', null, true, 2500], 'http://10.0.0.1:80#h2c#connect=2500'],
  ];
  for (const [args, key] of table) t.is(poolKey(...args), key, JSON.stringify(args));
});

test('send verdict: only a paused body without progress runs the clock', (t) => {
  const table: readonly [boolean, boolean, number, number, ReturnType<typeof sendVerdict>][] = [
    // progressed, paused, now (stall began at 1000), timeout → verdict
    [true, true, 5000, 1000, 'progress'],
    [false, false, 5000, 1000, 'progress'], // the client is slow to upload: not the upstream's fault
    [false, true, 1500, 1000, 'waiting'],
    [false, true, 2000, 1000, 'stalled'],
    [false, true, 9000, 1000, 'stalled'],
  ];
  for (const [progressed, paused, now, timeout, verdict] of table)
    t.is(sendVerdict(progressed, paused, 1000, now, timeout), verdict, JSON.stringify([progressed, paused, now, timeout]));
});

test('routes with their own connect timeout get pools of their own; routes with the default share the default pool', async (t) => {
  const yaml = docs(
    INGRESS_CLASS,
    serviceWithEndpoints('svc', [
      { ip: '127.0.0.1', port: 8080 },
      { ip: '127.0.0.2', port: 8080 },
    ]),
    ingress('plain', [{ host: 'a.test', path: '/', service: 'svc' }]),
    annotate(ingress('quick', [{ host: 'a.test', path: '/quick', service: 'svc' }]), 'quick', { [`${NGINX}proxy-connect-timeout`]: '2' }),
    annotate(ingress('quicker', [{ host: 'a.test', path: '/quicker', service: 'svc' }]), 'quicker', { [`${NGINX}proxy-connect-timeout`]: '500ms' }),
    annotate(ingress('same', [{ host: 'b.test', path: '/', service: 'svc' }]), 'same', { [`${NGINX}proxy-connect-timeout`]: '2s' }),
  );
  const snapshot = compile(yaml);
  t.deepEqual(snapshot.backends.get('default/svc:80')?.connectTimeouts, [500, 2000], 'distinct timeouts, ascending, computed at compile time');
  t.is(snapshot.routes.match('a.test', '/quick')?.policy.connectTimeoutMs, 2000);
  t.is(snapshot.routes.match('a.test', '/')?.policy.connectTimeoutMs, 0);

  const upstreams = new UpstreamRegistry(DEFAULT_SETTINGS.upstream);
  t.teardown(() => upstreams.close());
  const states = new EndpointStates(DEFAULT_SETTINGS.outlierDetection);
  t.teardown(() => states.dispose());
  const bound = bindSnapshot(snapshot, { upstreams, balancers: new Map(), states, runtimes: new Map() });
  const member = bound.backends.get('default/svc:80')!.members[0]!;
  t.is(member.poolFor(0), member.pool);
  t.not(member.poolFor(2000), member.pool);
  t.not(member.poolFor(500), member.poolFor(2000));
  t.is(
    member.poolFor(2000),
    upstreams.pool('http://127.0.0.1:8080', null, false, snapshot.backends.get('default/svc:80')!.limits.maxConnections, 2000),
    'one pool per origin and timeout, shared by routes',
  );
  t.deepEqual([...originsOf(bound)].sort(), [
    'http://127.0.0.1:8080',
    'http://127.0.0.1:8080#connect=2000',
    'http://127.0.0.1:8080#connect=500',
    'http://127.0.0.2:8080',
    'http://127.0.0.2:8080#connect=2000',
    'http://127.0.0.2:8080#connect=500',
  ]);
  const stats = (origin: string, connected: number) => ({ origin, connected, free: 0, pending: 0, running: connected });
  const sums = poolsByService(bound, [
    stats('http://127.0.0.1:8080', 1),
    stats('http://127.0.0.1:8080#connect=2000', 2),
    stats('http://127.0.0.2:8080#connect=500', 4),
  ]);
  t.is(sums.get('default/svc')?.connected, 7, 'the timed pools count for their Service in /metrics');

  // A reload without the annotations keeps the default pools and drains the timed ones.
  const plain = compile(
    docs(INGRESS_CLASS, serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: 8080 }]), ingress('plain', [{ host: 'a.test', path: '/', service: 'svc' }])),
  );
  t.is(plain.backends.get('default/svc:80')?.connectTimeouts, undefined);
  const rebound = bindSnapshot(plain, { upstreams, balancers: new Map(), states, runtimes: new Map() });
  await upstreams.retain(originsOf(rebound), DEFAULT_SETTINGS.upstream);
  t.deepEqual([...upstreams.origins()], ['http://127.0.0.1:8080']);
  t.is(rebound.backends.get('default/svc:80')!.members[0]!.pool, member.pool, 'the default pool survived');
});

test('a canary Service is reached with the connect timeout of the route it splits', (t) => {
  const main = annotate(ingress('main', [{ host: 'a.test', path: '/', service: 'stable' }]), 'main', { [`${NGINX}proxy-connect-timeout`]: '3' });
  const canary = annotate(ingress('canary', [{ host: 'a.test', path: '/', service: 'next' }]), 'canary', {
    [`${NGINX}canary`]: 'true',
    [`${NGINX}canary-weight`]: '10',
  });
  const snapshot = compile(
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('stable', [{ ip: '127.0.0.1', port: 1 }]),
      serviceWithEndpoints('next', [{ ip: '127.0.0.1', port: 2 }]),
      main,
      canary,
    ),
  );
  t.deepEqual(snapshot.backends.get('default/stable:80')?.connectTimeouts, [3000]);
  t.deepEqual(snapshot.backends.get('default/next:80')?.connectTimeouts, [3000]);
});

test('proxy-connect-timeout: a hanging connect gives 504 after the route timeout while a default route to the same endpoint still waits', async (t) => {
  const port = await stalledListener(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('upstream: {connectTimeout: 1500ms}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port }]),
      annotate(ingress('patient', [{ host: 'c.test', path: '/patient', service: 'svc' }]), 'patient', { 'edgeway.io/retry-attempts': '0' }),
      annotate(ingress('hasty', [{ host: 'c.test', path: '/hasty', service: 'svc' }]), 'hasty', {
        [`${NGINX}proxy-connect-timeout`]: '300ms',
        'edgeway.io/retry-attempts': '0',
      }),
    ),
  );
  let patientDone = false;
  const patient = httpGet(`${gw.url}/patient`, { host: 'c.test' }).then(
    (r) => ((patientDone = true), r),
    () => ((patientDone = true), null),
  );
  await waitFor(() => gw.edgeway.backendLoad('default/svc:80')?.pending === 1, 5000, 'the patient request waiting for its connection');
  const hasty = await httpGet(`${gw.url}/hasty`, { host: 'c.test' });
  t.is(hasty.status, 504);
  t.is(hasty.headers['x-edgeway-error'], 'EDGEWAY_UPSTREAM_TIMEOUT');
  t.false(patientDone, 'the route with the default connect timeout (1.5 s) is still connecting: it is not on the hasty pool');
  t.is((await patient)?.status, 504, 'and it times out in turn, on its own pool');
});

/** A backend that reads a request head, then stops reading: its socket's buffers fill and the sender stalls. */
async function stallingBackend(t: ExecutionContext) {
  const sockets = new Set<Socket>();
  const state = { heads: 0 };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('latin1');
      if (!seen.includes('\r\n\r\n')) return;
      state.heads++;
      socket.off('data', onData);
      socket.pause();
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  return { port: typeof address === 'object' && address !== null ? address.port : 0, state };
}

interface UploadResult {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: string;
}

/**
 * POSTs a `total`-byte body in 64 KiB chunks as fast as the connection takes them, until the response arrives;
 * `pauseAfter` bytes in, it waits for `resumeWhen` before sending the rest.
 */
function upload(
  port: number,
  host: string,
  path: string,
  total: number,
  pauseAfter = total,
  resumeWhen: Promise<void> = Promise.resolve(),
): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { host, 'content-length': String(total) } });
    const chunk = Buffer.alloc(64 * 1024, 120);
    let sent = 0;
    let answered = false;
    const pump = (): void => {
      while (!answered && sent < total) {
        if (sent === pauseAfter) {
          pauseAfter = -1;
          void resumeWhen.then(pump);
          return;
        }
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, code: res.headers['x-edgeway-error'] as string | undefined, body: Buffer.concat(parts).toString() }),
      );
      res.on('error', () => resolve({ status: res.statusCode ?? 0, code: res.headers['x-edgeway-error'] as string | undefined, body: '' }));
    });
    // Once edgeway answered and closed, the rest of the upload fails to write: expected.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    pump();
  });
}

test('proxy-send-timeout: an upstream that stops reading the body gets the upload cut with 504; other routes are unaffected', async (t) => {
  const stalling = await stallingBackend(t);
  const healthy = await listen(t, (req, res) => {
    req.resume();
    req.on('end', () => res.end('fine'));
  });
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('stall', [{ ip: '127.0.0.1', port: stalling.port }]),
      serviceWithEndpoints('ok', [{ ip: '127.0.0.1', port: healthy.port }]),
      annotate(ingress('up', [{ host: 's.test', path: '/upload', service: 'stall' }]), 'up', { [`${NGINX}proxy-send-timeout`]: '500ms' }),
      annotate(ingress('other', [{ host: 's.test', path: '/other', service: 'ok' }]), 'other', { [`${NGINX}proxy-send-timeout`]: '500ms' }),
    ),
  );
  // 96 MiB: far more than the loopback socket buffers between edgeway and the backend hold.
  const stalled = upload(gw.port, 's.test', '/upload', 96 * 1024 * 1024);
  await waitFor(() => stalling.state.heads === 1, 5000, 'the request head at the stalling backend');
  const during: Reply = await httpGet(`${gw.url}/other`, { host: 's.test' }, 'POST', 'x'.repeat(100_000));
  t.is(during.status, 200, 'another route answers while one upload is stalled');
  const result = await stalled;
  t.is(result.status, 504);
  t.is(result.code, 'EDGEWAY_UPSTREAM_SEND_TIMEOUT');
  t.is(gw.edgeway.backendLoad('default/stall:80')?.active, 0, 'the exchange finished');
  t.is((await upload(gw.port, 's.test', '/other', 4 * 1024 * 1024)).body, 'fine', 'a large upload to a reading backend is not cut');
});

test('proxy-send-timeout does not blame the upstream for a client that pauses its upload', async (t) => {
  let received = 0;
  const backend = await listen(t, (req, res) => {
    req.on('data', (c: Buffer) => (received += c.length));
    req.on('end', () => res.end('got it'));
  });
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      annotate(ingress('up', [{ host: 'p.test', path: '/', service: 'svc' }]), 'up', { [`${NGINX}proxy-send-timeout`]: '200ms' }),
    ),
  );
  // The client stops for several send timeouts (a slow uploader, not a stalled upstream), then sends the rest.
  const pause = new Promise<void>((resolve) => setTimeout(resolve, 800));
  const result = await upload(gw.port, 'p.test', '/', 1024 * 1024, 512 * 1024, pause);
  t.is(result.status, 200);
  t.is(result.body, 'got it');
  t.is(received, 1024 * 1024);
});
