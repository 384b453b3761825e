/**
 * Request lines naming an HTTP version other than 1.x on an HTTP/1 connection, cleartext and over TLS. Node's parser
 * accepts `HTTP/2.0` and `HTTP/0.9` there and hands the request over with that version; edgeway answers 505 and
 * closes, reaches no backend, and keeps serving everyone else (such a request once stopped the whole process).
 */
import test from 'ava';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { startEdgeway } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints } from '../helpers/manifests.ts';
import { rawBackend } from '../helpers/raw-backend.ts';

/** Writes `bytes` on a fresh connection and reads until the server closes it (or 3 s pass). */
function exchange(open: () => Socket, bytes: string): Promise<{ readonly text: string; readonly closed: boolean }> {
  return new Promise((resolve) => {
    const socket = open();
    const chunks: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => (closed = true));
    socket.on('error', () => (closed = true));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    });
    socket.write(bytes);
  });
}

const LINES = ['GET / HTTP/2.0', 'POST / HTTP/2.0', 'GET / HTTP/0.9', 'GET http://app.test/ HTTP/2.0'];

test('a request line with HTTP/2.0 or HTTP/0.9 is answered 505 and closed, on HTTP and HTTPS, and the gateway keeps serving', async (t) => {
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
  const httpsPort = gw.edgeway.addresses.find((a) => a.name === 'https')?.port ?? 0;
  const openers: readonly [string, () => Socket][] = [
    ['http', () => netConnect(gw.port, '127.0.0.1')],
    ['https', () => tlsConnect({ port: httpsPort, host: '127.0.0.1', servername: 'app.test', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })],
  ];
  for (const [scheme, open] of openers) {
    for (const line of LINES) {
      for (const tail of [
        'Host: app.test\r\n\r\n',
        'Host: app.test\r\nContent-Length: 3\r\n\r\nabc',
        'Host: app.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      ]) {
        const answer = await exchange(open, `${line}\r\n${tail}`);
        const what = `${scheme}: ${line} + ${JSON.stringify(tail.split('\r\n')[1])}`;
        t.regex(answer.text, /^HTTP\/1\.1 505 /, `${what}: 505`);
        t.regex(answer.text, /X-Edgeway-Error: EDGEWAY_HTTP_VERSION/i, `${what}: names its code`);
        t.true(answer.closed, `${what}: connection closed`);
      }
    }
  }
  t.is(backend.requests.length, 0, 'nothing reached the backend');
  const after = await httpGet(`${gw.url}/`, { host: 'app.test' });
  t.is(after.status, 200, 'still serving');
});
