/**
 * Pipelined requests behind a refusal: once edgeway refuses a request and closes the connection, nothing read behind
 * it on that connection reaches a backend (pipelining desync). A raw backend records every request it is sent, so a
 * request executed without its response reaching the client shows up as an extra record.
 */
import test from 'ava';
import { connect as tlsConnect } from 'node:tls';
import { startEdgeway } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints } from '../helpers/manifests.ts';
import { rawBackend } from '../helpers/raw-backend.ts';
import { rawExchange } from '../helpers/raw-client.ts';

const H = 'Host: app.test\r\n';
const GOOD = (path: string): string => `GET ${path} HTTP/1.1\r\n${H}\r\n`;
const POST = `POST /run-me HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`;

/** Requests edgeway (not Node's parser) refuses with a close: Node parses on past them. */
const REFUSED: readonly [string, string][] = [
  ['duplicate Host', `GET /bad HTTP/1.1\r\n${H}Host: other.test\r\n\r\n`],
  ['absolute-form target naming another host', `GET http://other.test/bad HTTP/1.1\r\n${H}\r\n`],
  ['Host with a space', `GET /bad HTTP/1.1\r\nHost: app test\r\n\r\n`],
  ['Transfer-Encoding: identity', `POST /bad HTTP/1.1\r\n${H}Transfer-Encoding: identity\r\n\r\n`],
  ['Transfer-Encoding: gzip, chunked', `POST /bad HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`],
  ['HTTP/2.0 request line', `GET /bad HTTP/2.0\r\n${H}\r\n`],
  ['HTTP/0.9 request line', `GET /bad HTTP/0.9\r\n${H}\r\n`],
];

async function gateway(t: Parameters<typeof rawBackend>[0]) {
  const backend = await rawBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }]),
    ),
  );
  return { backend, gw };
}

test('three pipelined requests with the middle one refused: the third never reaches the backend', async (t) => {
  const { backend, gw } = await gateway(t);
  for (const [name, bad] of REFUSED) {
    const before = backend.requests.length;
    const answer = await rawExchange(gw.port, GOOD('/first') + bad + GOOD('/third'));
    const seen = backend.requests.slice(before).map((r) => r.target);
    t.is(answer.statuses.length, 2, `${name}: two answers (${answer.statuses.join(',')})`);
    t.is(answer.statuses[0], 200, `${name}: the first is answered`);
    t.true(answer.statuses[1]! >= 400, `${name}: the second refused`);
    t.true(answer.closed, `${name}: closed`);
    t.deepEqual(seen, ['/first'], `${name}: only the first ran`);
  }
});

test('a POST pipelined behind a request refused for a duplicate Host is never run', async (t) => {
  const { backend, gw } = await gateway(t);
  const answer = await rawExchange(gw.port, `GET /dup HTTP/1.1\r\n${H}Host: evil.test\r\n\r\n${POST}`);
  t.deepEqual(answer.statuses, [400]);
  t.true(answer.closed);
  t.is(backend.requests.length, 0);
});

test('a request pipelined behind an absolute-form/Host mismatch is never run', async (t) => {
  const { backend, gw } = await gateway(t);
  const answer = await rawExchange(gw.port, `GET http://evil.test/x HTTP/1.1\r\n${H}\r\n${POST}`);
  t.is(answer.statuses.length, 1);
  t.true(answer.statuses[0]! >= 400);
  t.true(answer.closed);
  t.is(backend.requests.length, 0);
});

test('every refusal that closes stops the requests behind it, each in its own write too', async (t) => {
  const { backend, gw } = await gateway(t);
  for (const [name, bad] of REFUSED) {
    const answer = await rawExchange(gw.port, [bad, POST, GOOD('/after')]);
    t.is(answer.statuses.length, 1, `${name}: one answer`);
    t.true(answer.closed, `${name}: closed`);
  }
  t.is(backend.requests.length, 0);
});

test("a request pipelined behind the client's own Connection: close is never run", async (t) => {
  const { backend, gw } = await gateway(t);
  const answer = await rawExchange(gw.port, `GET /last HTTP/1.1\r\n${H}Connection: close\r\n\r\n${POST}`);
  t.deepEqual(answer.statuses, [200]);
  t.true(answer.closed);
  t.deepEqual(
    backend.requests.map((r) => r.target),
    ['/last'],
  );
});

test('good pipelined requests are all answered, in order, one backend request each', async (t) => {
  const { backend, gw } = await gateway(t);
  const answer = await rawExchange(gw.port, GOOD('/1') + POST + GOOD('/3') + `GET /4 HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  t.deepEqual(answer.statuses, [200, 200, 200, 200]);
  t.deepEqual(
    backend.requests.map((r) => r.target),
    ['/1', '/run-me', '/3', '/4'],
  );
  t.is(backend.requests[1]!.body.toString(), 'hello');
});

test('a pipelined request whose body the parser refuses while an earlier response is in flight is never run', async (t) => {
  const { backend, gw } = await gateway(t);
  const answer = await rawExchange(gw.port, GOOD('/first') + `POST /broken HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5g\r\nhello\r\n0\r\n\r\n`);
  t.deepEqual(answer.statuses, [200, 400]);
  t.true(answer.closed);
  t.deepEqual(
    backend.requests.map((r) => r.target),
    ['/first'],
  );
});

test('garbage pipelined behind good requests: each good one answered in order, then one 400', async (t) => {
  const { backend, gw } = await gateway(t);
  const answer = await rawExchange(gw.port, GOOD('/1') + GOOD('/2') + 'NOT HTTP AT ALL\r\n\r\n');
  t.deepEqual(answer.statuses, [200, 200, 400]);
  t.true(answer.closed);
  t.deepEqual(
    backend.requests.map((r) => r.target),
    ['/1', '/2'],
  );
});

test('over TLS (HTTP/1.1 on the HTTPS entrypoint) too: nothing behind a refusal reaches the backend', async (t) => {
  const backend = await rawBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }]),
    ),
    { https: true },
  );
  const port = gw.edgeway.addresses.find((a) => a.name === 'https')?.port ?? 0;
  const open = () => tlsConnect({ port, host: '127.0.0.1', servername: 'app.test', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
  for (const [name, bad] of REFUSED) {
    const before = backend.requests.length;
    const answer = await rawExchange(port, GOOD('/first') + bad + POST, 3000, open);
    t.is(answer.statuses[0], 200, `${name}: the first is answered`);
    t.true(answer.statuses.length === 2 && answer.statuses[1]! >= 400, `${name}: then refused (${answer.statuses.join(',')})`);
    t.true(answer.closed, `${name}: closed`);
    t.deepEqual(
      backend.requests.slice(before).map((r) => r.target),
      ['/first'],
      `${name}: only the first ran`,
    );
  }
});
