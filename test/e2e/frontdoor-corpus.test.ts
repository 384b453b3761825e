/**
 * The front door under smuggling and malformed requests, sent as raw bytes over real sockets. For each case the
 * assertion is the issue's: a 4xx and a closed connection, or exactly one well-formed request at the backend (a raw
 * backend that parses and records every request head). The `by` column says who refuses it: Node's parser (llhttp,
 * pinned here so an upgrade that loosens it is noticed) or edgeway's own checks (request-framing.ts, the entrypoint).
 */
import test from 'ava';
import { createServer } from 'node:http';
import { framingProblem } from '../../src/dataplane/request/request-framing.ts';
import { startEdgeway } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { rawBackend } from '../helpers/raw-backend.ts';
import { rawExchange, type RawAnswer } from '../helpers/raw-client.ts';
import { closeServer } from '../helpers/servers.ts';

/** Writes `bytes`, reads until the server closes or `deadlineMs` passes (then closes itself). */
function send(port: number, bytes: string | Buffer, deadlineMs = 2000): Promise<RawAnswer> {
  return rawExchange(port, bytes, deadlineMs);
}

const H = 'Host: app.test\r\n';
type Expect = 'reject' | 'one';
const CORPUS: readonly [name: string, by: 'llhttp' | 'edgeway' | '-', expect: Expect, bytes: string][] = [
  ['plain GET', '-', 'one', `GET /public/x HTTP/1.1\r\n${H}Connection: close\r\n\r\n`],
  ['chunked POST', '-', 'one', `POST /public/x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n`],
  [
    'Transfer-Encoding: Chunked (coding names are case-insensitive)',
    '-',
    'one',
    `POST /public/x HTTP/1.1\r\n${H}Transfer-Encoding: Chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
  ],
  ['CL.TE', 'llhttp', 'reject', `POST /public/x HTTP/1.1\r\n${H}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG`],
  ['TE.CL', 'llhttp', 'reject', `POST /public/x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n`],
  ['duplicate equal Content-Length', 'llhttp', 'reject', `POST /public/x HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 1\r\n\r\nx`],
  ['conflicting Content-Length', 'llhttp', 'reject', `POST /public/x HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 2\r\n\r\nxx`],
  ['Content-Length list', 'llhttp', 'reject', `POST /public/x HTTP/1.1\r\n${H}Content-Length: 1, 1\r\n\r\nx`],
  ['negative Content-Length', 'llhttp', 'reject', `POST /public/x HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`],
  ['Content-Length with a plus sign', 'llhttp', 'reject', `POST /public/x HTTP/1.1\r\n${H}Content-Length: +1\r\n\r\nx`],
  ['chunked not last', 'llhttp', 'reject', `POST /public/x HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n`],
  [
    'two Transfer-Encoding lines',
    'llhttp',
    'reject',
    `POST /public/x HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
  ],
  ['space before the colon', 'llhttp', 'reject', `POST /public/x HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`],
  ['obs-fold', 'llhttp', 'reject', `GET /public/x HTTP/1.1\r\n${H}X-A: a\r\n b\r\n\r\n`],
  ['bare LF line ends', 'llhttp', 'reject', `GET /public/x HTTP/1.1\nHost: app.test\n\n`],
  ['bare CR', 'llhttp', 'reject', `GET /public/x HTTP/1.1\r\n${H}X-A: a\rX-B: b\r\n\r\n`],
  ['NUL in the target', 'llhttp', 'reject', `GET /public/\x00 HTTP/1.1\r\n${H}\r\n`],
  ['no Host', 'llhttp', 'reject', `GET /public/x HTTP/1.1\r\n\r\n`],
  ['Transfer-Encoding: gzip, chunked', 'edgeway', 'reject', `POST /public/x HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`],
  ['Transfer-Encoding: identity', 'edgeway', 'reject', `POST /public/x HTTP/1.1\r\n${H}Transfer-Encoding: identity\r\n\r\nabc`],
  ['Transfer-Encoding: xchunked', 'edgeway', 'reject', `POST /public/x HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`],
  ['Transfer-Encoding on HTTP/1.0', 'edgeway', 'reject', `POST /public/x HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
  ['duplicate Host', 'edgeway', 'reject', `GET /public/x HTTP/1.1\r\n${H}Host: other.test\r\n\r\n`],
  ['absolute-form target naming another host', 'edgeway', 'reject', `GET http://other.test/public/x HTTP/1.1\r\n${H}\r\n`],
  ['absolute-form target naming the same host', '-', 'one', `GET http://app.test/public/x HTTP/1.1\r\n${H}Connection: close\r\n\r\n`],
  ['Host with a space', 'edgeway', 'reject', `GET /public/x HTTP/1.1\r\nHost: app test\r\n\r\n`],
  ['Host with a slash', 'edgeway', 'reject', `GET /public/x HTTP/1.1\r\nHost: app.test/x\r\n\r\n`],
  [
    '101 header lines (Node would drop the extra silently)',
    'edgeway',
    'reject',
    `GET /public/x HTTP/1.1\r\n${H}${Array.from({ length: 100 }, (_, i) => `X-${i}: 1\r\n`).join('')}\r\n`,
  ],
  ['20 KiB of headers', 'llhttp', 'reject', `GET /public/x HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
  ['Content-Length above the limit', 'edgeway', 'reject', `POST /public/x HTTP/1.1\r\n${H}Content-Length: 2048\r\n\r\n`],
  [
    'h2c upgrade (h2c smuggling)',
    'edgeway',
    'reject',
    `GET /public/x HTTP/1.1\r\n${H}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`,
  ],
];

test('corpus: every smuggling or malformed request gets a 4xx and a close, or reaches the backend exactly once, well-formed', async (t) => {
  const backend = await rawBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('downstream: {maxBodySize: 1k}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/public', service: 'svc' }]),
    ),
  );
  for (const [name, , expect, bytes] of CORPUS) {
    const before = backend.requests.length;
    const answer = await send(gw.port, bytes);
    const reached = backend.requests.length - before;
    if (expect === 'reject') {
      t.true(answer.statuses.length === 1 && answer.statuses[0]! >= 400 && answer.statuses[0]! < 500, `${name}: a 4xx (${answer.text.slice(0, 40)})`);
      t.true(answer.closed, `${name}: connection closed`);
      t.is(reached, 0, `${name}: nothing reached the backend`);
    } else {
      t.deepEqual(answer.statuses, [200], `${name}: answered 200`);
      t.is(reached, 1, `${name}: exactly one request at the backend`);
    }
  }
  t.deepEqual(backend.garbage, [], 'the backend never saw an unparsable request');
});

test('431 and 413 name their code; header count beyond the limit is never silently dropped', async (t) => {
  const backend = await rawBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('downstream: {maxHeadersCount: 10, maxBodySize: 10}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }]),
    ),
  );
  const many = await send(gw.port, `GET / HTTP/1.1\r\n${H}${Array.from({ length: 10 }, (_, i) => `X-${i}: 1\r\n`).join('')}\r\n`);
  t.deepEqual(many.statuses, [431]);
  t.regex(many.text, /X-Edgeway-Error: EDGEWAY_HEADERS_TOO_MANY/i);
  const ten = await send(gw.port, `GET / HTTP/1.1\r\n${H}${Array.from({ length: 8 }, (_, i) => `X-${i}: 1\r\n`).join('')}Connection: close\r\n\r\n`);
  t.deepEqual(ten.statuses, [200], 'exactly at the limit');
  const big = await send(gw.port, `POST / HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\nhello world`);
  t.deepEqual(big.statuses, [413]);
  t.regex(big.text, /X-Edgeway-Error: EDGEWAY_BODY_TOO_LARGE/i);
  const chunked = await send(gw.port, `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n`);
  t.true(chunked.statuses[0] === 413 || chunked.statuses.length === 0, `a chunked body over the limit is cut (${chunked.text.slice(0, 30)})`);
  t.true(chunked.closed);
  t.false(
    backend.requests.some((r) => r.body.length > 10),
    `no body over the limit reached the backend whole: ${JSON.stringify(backend.requests.map((r) => [r.method, r.body.toString()]))} ${chunked.text}`,
  );
});

test('framingProblem table', (t) => {
  const table: readonly [readonly string[], number, string | null][] = [
    [['Host', 'a'], 1, null],
    [['Host', 'a', 'host', 'b'], 1, 'EDGEWAY_HOST_AMBIGUOUS'],
    [['Host', 'a', 'Transfer-Encoding', 'chunked'], 1, null],
    [['Host', 'a', 'transfer-encoding', 'CHUNKED'], 1, null],
    [['Host', 'a', 'Transfer-Encoding', 'chunked'], 0, 'EDGEWAY_FRAMING_AMBIGUOUS'],
    [['Host', 'a', 'Transfer-Encoding', 'gzip, chunked'], 1, 'EDGEWAY_FRAMING_AMBIGUOUS'],
    [['Host', 'a', 'Transfer-Encoding', 'identity'], 1, 'EDGEWAY_FRAMING_AMBIGUOUS'],
    [['Host', 'a', 'X', '1', 'Y', '2'], 1, 'EDGEWAY_HEADERS_TOO_MANY'],
  ];
  for (const [raw, minor, code] of table) t.is(framingProblem(raw, minor, 2) as string | null, code, raw.join(' '));
});

test('a bad request pipelined after a good one never cuts the good response in flight', async (t) => {
  const backend = createServer((_req, res) => {
    // Hold the answer a little, so the bad request is parsed while this response is still in flight.
    setTimeout(() => res.end('x'.repeat(100_000)), 150);
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  t.teardown(() => closeServer(backend));
  const address = backend.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const gw = await startEdgeway(
    t,
    docs(INGRESS_CLASS, serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port }]), ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }])),
  );
  const answer = await send(gw.port, `GET /good HTTP/1.1\r\n${H}\r\nGET /bad HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 2\r\n\r\n`, 5000);
  t.deepEqual(answer.statuses, [200, 400]);
  t.true(answer.text.includes('x'.repeat(100_000)), 'the whole good body arrived before the 400');
  t.true(answer.closed);
});

test('headers timeout is enforced within about a second of its deadline', async (t) => {
  const backend = await rawBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('downstream: {headersTimeout: 1s}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }]),
    ),
  );
  // Deadline 1 s + the 1 s check interval + slack; Node's default interval (30 s) would blow through it.
  const answer = await send(gw.port, `GET / HTTP/1.1\r\n${H}X-Slow: `, 4000);
  t.true(answer.closed);
  t.deepEqual(answer.statuses, [408]);
});

test('paths are normalised before matching and the normalised path is forwarded: no bypass of a Prefix route', async (t) => {
  const backend = await rawBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/public', service: 'svc' }]),
    ),
  );
  const table: readonly [string, number, string | null][] = [
    ['/public/../admin', 404, null],
    ['/public/%2e%2e/admin', 404, null],
    ['/public/%2E%2E/admin', 404, null],
    ['/public/.%2e/admin', 404, null],
    ['/public%2f..%2fadmin', 404, null],
    ['/public/..%2fadmin', 200, '/public/..%2Fadmin'],
    ['/public/a/../b', 200, '/public/b'],
    ['/public/./b', 200, '/public/b'],
    ['/public\\..\\admin', 404, null],
    ['/x/../public/y?q=1', 200, '/public/y?q=1'],
  ];
  for (const [path, status, forwarded] of table) {
    const before = backend.requests.length;
    const answer = await send(gw.port, `GET ${path} HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    t.deepEqual(answer.statuses, [status], path);
    if (forwarded !== null) t.is(backend.requests[before]?.target, forwarded, `${path} is forwarded as matched`);
    else t.is(backend.requests.length, before, `${path} reached no backend`);
  }
});

test('a slow body read is cut after the idle timeout and never reaches the backend whole', async (t) => {
  const backend = await rawBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('downstream: {idleTimeout: 1s}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }]),
    ),
  );
  // 3 of 10 announced bytes, then nothing: the connection must be closed well before the deadline.
  const answer = await send(gw.port, `POST / HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nabc`, 5000);
  t.true(answer.closed);
  t.is(backend.requests.length, 0);
});
