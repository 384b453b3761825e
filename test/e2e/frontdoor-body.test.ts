/**
 * Request bodies that break their framing part-way: Node's parser refuses them once the exchange already holds the
 * response and the upstream request has begun. edgeway answers 400 at once, aborts the upstream request, and never
 * lets the backend take the broken body as a complete request.
 */
import test from 'ava';
import { createServer, type IncomingMessage } from 'node:http';
import { startEdgeway } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { connect } from 'node:net';
import { rawExchange, type RawAnswer } from '../helpers/raw-client.ts';
import { closeServer, waitFor } from '../helpers/servers.ts';

const H = 'Host: app.test\r\n';

/** A backend that reads each request body to its end (or its abort) and records how each one went. */
async function recordingBackend(t: Parameters<typeof startEdgeway>[0]) {
  const outcomes: string[] = [];
  const started: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    started.push(req);
    req.on('error', () => undefined);
    req.on('data', () => undefined);
    req.on('end', () => {
      outcomes.push('complete');
      res.end('ok');
    });
    req.on('aborted', () => outcomes.push('aborted'));
    req.on('close', () => {
      if (!req.complete && !outcomes.includes('aborted')) outcomes.push('aborted');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => closeServer(server));
  const address = server.address();
  return { port: typeof address === 'object' && address !== null ? address.port : 0, outcomes, started };
}

const CASES: readonly [string, string][] = [
  ['chunk size 5g', '5g\r\nhello\r\n0\r\n\r\n'],
  ['chunk size after a good chunk', '3\r\nabc\r\nzz\r\n'],
  ['chunk without its CRLF', '3\r\nabcX\r\n0\r\n\r\n'],
  ['chunk size overflowing 64 bits', `${'f'.repeat(20)}\r\n`],
];

test('a malformed chunked body is answered 400 at once and its upstream request aborted', async (t) => {
  const backend = await recordingBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }]),
    ),
  );
  for (const [name, body] of CASES) {
    const before = backend.started.length;
    const started = Date.now();
    // Headers first so the upstream request is under way when the bad chunk arrives.
    const answer = await rawExchange(gw.port, [`POST /upload HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n`, body], 4000);
    t.deepEqual(answer.statuses, [400], `${name}: 400 (${answer.text.slice(0, 60)})`);
    t.regex(answer.text, /X-Edgeway-Error: EDGEWAY_BODY_MALFORMED/i, `${name}: names its code`);
    t.true(answer.closed, `${name}: closed`);
    t.true(Date.now() - started < 2000, `${name}: at once, not at a timeout`);
    t.true(backend.started.length - before <= 1, `${name}: at most one upstream request`);
  }
  t.false(backend.outcomes.includes('complete'), `no broken body reached the backend as complete: ${backend.outcomes.join(',')}`);
});

test('a malformed chunk after the upstream request began: 400 at once, and the backend sees the request aborted', async (t) => {
  const backend = await recordingBackend(t);
  // Without request buffering the body streams, so the upstream request is under way before the bad chunk arrives.
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('downstream: {requestBuffering: false}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }]),
    ),
  );
  const socket = connect(gw.port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  const answer = new Promise<RawAnswer>((resolve) => {
    const chunks: Buffer[] = [];
    let closed = false;
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => (closed = true));
    socket.on('error', () => (closed = true));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ text, closed, statuses: [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])) });
    });
  });
  socket.write(`POST /upload HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n`);
  await waitFor(() => backend.started.length === 1, 5000, 'the upstream request to begin');
  const sent = Date.now();
  socket.write('5g\r\nhello\r\n0\r\n\r\n');
  const got = await answer;
  t.deepEqual(got.statuses, [400]);
  t.regex(got.text, /X-Edgeway-Error: EDGEWAY_BODY_MALFORMED/i);
  t.true(got.closed);
  t.true(Date.now() - sent < 2000, 'at once');
  await waitFor(() => backend.outcomes.includes('aborted'), 5000, 'the upstream request to be aborted');
  t.deepEqual(backend.outcomes, ['aborted']);
});
