/**
 * /metrics counts of what edgeway refused itself, each provoked for real and then scraped: circuit limits by Service
 * and limit, overload by reason, and front-door refusals (413, 431, framing and Host 400s, parser errors) by reason.
 * The code-to-reason mapping is a table; every label value comes from a fixed list or a configured Service name.
 */
import test from 'ava';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { overloadReason } from '../../src/dataplane/overload-guard.ts';
import { FRONT_DOOR_REASONS, frontDoorIndex, parserRejectionIndex } from '../../src/metrics/rejection-counters.ts';
import { startEdgeway } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen, waitFor } from '../helpers/servers.ts';

/** The value of one sample of the scrape, by name and labels; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) found[l[1]!] = l[2]!;
    if (Object.entries(labels).every(([k, v]) => found[k] === v) && Object.keys(found).length === Object.keys(labels).length) return Number(m[3]);
  }
  return undefined;
}

async function scrape(adminUrl: string): Promise<string> {
  return (await httpGet(`${adminUrl}/metrics`)).text;
}

function withAnnotations(yaml: string, kind: string, name: string, annotations: Record<string, string>): string {
  const lines = Object.entries(annotations)
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return yaml.replace(`kind: ${kind}\nmetadata:\n  name: ${name}\n`, `kind: ${kind}\nmetadata:\n  name: ${name}\n  annotations:\n${lines}\n`);
}

test('code → front-door reason, and parser error → reason', (t) => {
  const codes: readonly [Parameters<typeof frontDoorIndex>[0], (typeof FRONT_DOOR_REASONS)[number] | undefined][] = [
    ['EDGEWAY_BODY_TOO_LARGE', 'body-too-large'],
    ['EDGEWAY_HEADERS_TOO_MANY', 'headers-too-many'],
    ['EDGEWAY_FRAMING_AMBIGUOUS', 'framing-ambiguous'],
    ['EDGEWAY_HOST_AMBIGUOUS', 'host-ambiguous'],
    ['EDGEWAY_BAD_REQUEST', 'bad-request'],
    ['EDGEWAY_UPGRADE_REFUSED', 'bad-request'],
    ['EDGEWAY_NO_ROUTE', undefined],
    ['EDGEWAY_OVERLOADED', undefined],
    ['EDGEWAY_LIMIT_MAX_REQUESTS', undefined],
  ];
  for (const [code, reason] of codes) t.is(FRONT_DOOR_REASONS[frontDoorIndex(code)], reason, code);
  t.is(FRONT_DOOR_REASONS[parserRejectionIndex('HPE_HEADER_OVERFLOW')], 'headers-too-large');
  t.is(FRONT_DOOR_REASONS[parserRejectionIndex('ERR_HTTP_REQUEST_TIMEOUT')], 'request-timeout');
  t.is(FRONT_DOOR_REASONS[parserRejectionIndex('HPE_UNEXPECTED_CONTENT_LENGTH')], 'malformed');
  t.is(FRONT_DOOR_REASONS[parserRejectionIndex(undefined)], 'malformed');
});

test('overload reason: the event loop is named first, then the heap', (t) => {
  const s = { maxEventLoopDelayMs: 100, maxHeapBytes: 1000, retryAfterSeconds: 1 };
  t.is(overloadReason({ delayMs: 10, heapUsed: 100 }, s, 1000), null);
  t.is(overloadReason({ delayMs: 150, heapUsed: 100 }, s, 1000), 'event-loop-delay');
  t.is(overloadReason({ delayMs: 150, heapUsed: 990 }, s, 1000), 'event-loop-delay');
  t.is(overloadReason({ delayMs: 10, heapUsed: 950 }, s, 1000), 'heap');
});

test("overload reason: delay from the process's own work (a reload) is not shed for; the heap still is", (t) => {
  const s = { maxEventLoopDelayMs: 100, maxHeapBytes: 1000, retryAfterSeconds: 1 };
  t.is(overloadReason({ delayMs: 3000, heapUsed: 100 }, s, 1000, true), null);
  t.is(overloadReason({ delayMs: 3000, heapUsed: 990 }, s, 1000, true), 'heap');
});

test('circuit-limit 503s are counted by Service and limit', async (t) => {
  const held: ServerResponse[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    if (req.url?.endsWith('/hold') === true) held.push(res);
    else res.end('now');
  };
  // One backend per Service: a pool is sized by the first Service that reaches its origin.
  const backend = await listen(t, handler);
  const other = await listen(t, handler);
  t.teardown(() => held.splice(0).forEach((r) => r.end()));
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      withAnnotations(serviceWithEndpoints('few', [{ ip: '127.0.0.1', port: backend.port }]), 'Service', 'few', { 'edgeway.io/max-requests': '1' }),
      withAnnotations(serviceWithEndpoints('narrow', [{ ip: '127.0.0.1', port: other.port }]), 'Service', 'narrow', {
        'edgeway.io/max-connections': '1',
        'edgeway.io/max-pending-requests': '1',
      }),
      ingress('web', [
        { host: 'l.test', path: '/few', service: 'few' },
        { host: 'l.test', path: '/narrow', service: 'narrow' },
      ]),
    ),
  );
  const running = [httpGet(`${gw.url}/few/hold`, { host: 'l.test' })];
  await waitFor(() => held.length === 1, 5000, 'the request holding max-requests');
  for (let i = 0; i < 2; i++) t.is((await httpGet(`${gw.url}/few/x`, { host: 'l.test' })).status, 503);

  running.push(httpGet(`${gw.url}/narrow/hold`, { host: 'l.test' }));
  await waitFor(() => held.length === 2, 5000, 'the request on the only connection');
  running.push(httpGet(`${gw.url}/narrow/hold`, { host: 'l.test' }));
  await waitFor(() => gw.edgeway.backendLoad('default/narrow:80')?.pending === 1, 5000, 'one request waiting for the connection');
  const refused = await httpGet(`${gw.url}/narrow/x`, { host: 'l.test' });
  t.is(refused.headers['x-edgeway-limit'], 'max-pending');

  const text = await scrape(gw.adminUrl);
  t.is(sample(text, 'edgeway_limit_rejections_total', { service: 'default/few', limit: 'max-requests' }), 2);
  t.is(sample(text, 'edgeway_limit_rejections_total', { service: 'default/few', limit: 'max-pending' }), 0);
  t.is(sample(text, 'edgeway_limit_rejections_total', { service: 'default/narrow', limit: 'max-pending' }), 1);
  t.is(sample(text, 'edgeway_limit_rejections_total', { service: 'default/narrow', limit: 'max-requests' }), 0);
  // Release the held requests (the waiting one reaches the backend once the first is done).
  held.splice(0).forEach((r) => r.end('done'));
  await waitFor(() => held.length === 1, 5000, 'the waiting request at the backend');
  held.splice(0).forEach((r) => r.end('done'));
  t.deepEqual(
    (await Promise.all(running)).map((r) => r.status),
    [200, 200, 200],
  );
});

test('overload 503s are counted by reason (here a heap budget the process is always over)', async (t) => {
  const backend = await listen(t, (_req, res) => res.end('ok'));
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('overload: {maxHeapSize: 1m}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'o.test', path: '/', service: 'svc' }]),
    ),
  );
  await waitFor(async () => (await httpGet(`${gw.url}/`, { host: 'o.test' })).status === 503, 5000, 'shedding');
  const text = await scrape(gw.adminUrl);
  t.true((sample(text, 'edgeway_overload_rejections_total', { reason: 'heap' }) ?? 0) >= 1);
  t.is(sample(text, 'edgeway_overload_rejections_total', { reason: 'event-loop-delay' }), 0);
});

/** Writes raw bytes and reads until the server closes; returns the status of the first answer. */
function raw(port: number, bytes: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Number(/^HTTP\/1\.1 (\d{3}) /.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? 0));
    });
    socket.write(bytes);
  });
}

test('front-door refusals are counted by reason, whichever layer refuses', async (t) => {
  let reached = 0;
  const backend = await listen(t, (req, res) => {
    reached++;
    req.resume();
    res.end('ok');
  });
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('downstream: {maxHeadersCount: 10}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      withAnnotations(ingress('web', [{ host: 'f.test', path: '/', service: 'svc' }]), 'Ingress', 'web', {
        'nginx.ingress.kubernetes.io/proxy-body-size': '1k',
      }),
    ),
  );
  const H = 'Host: f.test\r\n';
  const cases: readonly [string, number, string][] = [
    ['body-too-large', 413, `POST /up HTTP/1.1\r\n${H}Content-Length: 2000\r\n\r\n${'x'.repeat(2000)}`],
    // One line over the limit reaches edgeway's own check; Node's parser refuses more than that as an overflow.
    ['headers-too-many', 431, `GET / HTTP/1.1\r\n${H}${Array.from({ length: 10 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`],
    ['headers-too-large', 431, `GET / HTTP/1.1\r\n${H}X-Big: ${'b'.repeat(20_000)}\r\n\r\n`],
    ['framing-ambiguous', 400, `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`],
    ['host-ambiguous', 400, `GET / HTTP/1.1\r\n${H}${H}\r\n`],
    ['bad-request', 400, `GET ftp://f.test/ HTTP/1.1\r\n${H}\r\n`],
    ['malformed', 400, `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
  ];
  for (const [reason, status, bytes] of cases) t.is(await raw(gw.port, bytes), status, reason);
  t.is(reached, 0, 'nothing reached the backend');
  t.is((await httpGet(`${gw.url}/fine`, { host: 'f.test' })).status, 200);
  const text = await scrape(gw.adminUrl);
  for (const [reason] of cases) t.is(sample(text, 'edgeway_frontdoor_rejections_total', { reason }), 1, reason);
  t.is(sample(text, 'edgeway_frontdoor_rejections_total', { reason: 'request-timeout' }), 0);
});
