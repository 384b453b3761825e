/**
 * Two more attack classes of the hostile-input corpus, over real sockets: hop-by-hop abuse (a client's Connection
 * list naming the headers routing depends on or edgeway writes) and malformed upstream responses (edgeway must
 * answer 502 rather than relay a response whose framing a client could read differently, and must never hand one
 * response's leftover bytes to the next request on the pool connection).
 */
import test from 'ava';
import { startEdgeway } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints } from '../helpers/manifests.ts';
import { rawBackend, type SeenRequest } from '../helpers/raw-backend.ts';
import { rawExchange } from '../helpers/raw-client.ts';

const H = 'Host: app.test\r\n';

function header(req: SeenRequest | undefined, name: string): string[] {
  return (req?.headers ?? []).filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
}

test('hop-by-hop abuse: Connection never strips Host or what edgeway writes, and strips what it names otherwise', async (t) => {
  const backend = await rawBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }]),
    ),
  );
  const table: readonly [connection: string, check: (req: SeenRequest | undefined) => [string, boolean][]][] = [
    [
      'Host',
      (r) => [
        ['Host kept', header(r, 'host').join() === 'app.test'],
        ['X-Forwarded-Host kept', header(r, 'x-forwarded-host').join() === 'app.test'],
      ],
    ],
    [
      'host, x-forwarded-for, x-forwarded-proto, x-forwarded-port, x-request-id',
      (r) => [
        ['Host kept', header(r, 'host').join() === 'app.test'],
        ['X-Forwarded-For set', header(r, 'x-forwarded-for').join() === '127.0.0.1'],
        ['X-Forwarded-Proto set', header(r, 'x-forwarded-proto').join() === 'http'],
        ['X-Forwarded-Port set', header(r, 'x-forwarded-port').length === 1],
        ['X-Request-Id set', header(r, 'x-request-id').length === 1],
      ],
    ],
    [
      'X-Secret, TE',
      (r) => [
        ['named header dropped', header(r, 'x-secret').length === 0],
        ['TE dropped', header(r, 'te').length === 0],
        ['Connection dropped', header(r, 'connection').every((v) => v === 'keep-alive')],
      ],
    ],
  ];
  for (const [connection, check] of table) {
    const before = backend.requests.length;
    const answer = await rawExchange(gw.port, `GET /x HTTP/1.1\r\n${H}Connection: ${connection}, close\r\nX-Secret: s\r\nTE: trailers\r\n\r\n`);
    t.deepEqual(answer.statuses, [200], connection);
    for (const [what, ok] of check(backend.requests[before]))
      t.true(ok, `Connection: ${connection}: ${what} ${JSON.stringify(backend.requests[before]?.headers)}`);
  }
});

/**
 * Upstream responses no client may receive as they are: each becomes edgeway's 502, or, when the flaw is in the body
 * after the head went out, a cut connection with no complete response.
 */
const BAD_RESPONSES: Readonly<Record<string, string>> = {
  '/cl-and-te': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  '/two-lengths': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
  '/bad-status': 'HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n',
  '/bad-chunk': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5g\r\nhello\r\n0\r\n\r\n',
  '/nul-in-header': 'HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n',
  '/space-before-colon': 'HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n',
  '/not-http': 'SSH-2.0-OpenSSH\r\n\r\n',
};

test('malformed upstream responses become 502 and never leak into the next response', async (t) => {
  const backend = await rawBackend(t, {
    respond: (req) => BAD_RESPONSES[req.target] ?? 'HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ngood',
  });
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }]),
    ),
  );
  for (const path of Object.keys(BAD_RESPONSES)) {
    const answer = await rawExchange(gw.port, `GET ${path} HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    if (path === '/bad-chunk') {
      t.true(answer.closed && !answer.text.includes('hello'), `${path}: cut, no complete body: ${JSON.stringify(answer.text.slice(0, 80))}`);
    } else {
      t.deepEqual(answer.statuses, [502], `${path}: ${JSON.stringify(answer.text.slice(0, 80))}`);
      t.regex(answer.text, /X-Edgeway-Error: EDGEWAY_UPSTREAM_/i, path);
    }
    const next = await rawExchange(gw.port, `GET /ok HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    t.deepEqual(next.statuses, [200], `after ${path}`);
    t.true(next.text.endsWith('\r\n\r\ngood'), `after ${path}: the next response is whole and its own`);
  }
});

test("a response longer than its Content-Length: the extra bytes never become the next request's response", async (t) => {
  const backend = await rawBackend(t, {
    respond: (req) =>
      req.target === '/long'
        ? 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\nsmuggled'
        : 'HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ngood',
  });
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }]),
    ),
  );
  const first = await rawExchange(gw.port, `GET /long HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  t.deepEqual(first.statuses, [200]);
  for (let i = 0; i < 5; i++) {
    const next = await rawExchange(gw.port, `GET /ok HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    t.notRegex(next.text, /smuggled/);
    t.true(next.statuses.length === 1 && (next.text.endsWith('good') || next.statuses[0] === 502), `request ${i}: ${JSON.stringify(next.text.slice(-40))}`);
  }
});
