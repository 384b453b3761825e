/**
 * The HTTP/2 limits module against a plain h2c server (the HTTPS entrypoint uses the same options and hook):
 * the advertised concurrent-stream cap, and rapid reset answered with GOAWAY ENHANCE_YOUR_CALM while a well-behaved
 * client on its own session is unaffected.
 */
import test from 'ava';
import { connect, constants, createServer, type ClientHttp2Session } from 'node:http2';
import { guardSession, H2_LIMITS, h2ServerOptions } from '../../src/dataplane/listeners/h2-limits.ts';
import { waitFor } from '../helpers/servers.ts';

async function h2cServer(t: import('ava').ExecutionContext): Promise<number> {
  const server = createServer(h2ServerOptions(H2_LIMITS));
  server.on('session', (s) => guardSession(s, H2_LIMITS));
  server.on('stream', (stream) => {
    // Answer a little later, as a proxy waiting for its upstream would, so a rapid reset lands on an open stream.
    setTimeout(() => {
      if (stream.destroyed) return;
      stream.respond({ ':status': 200 });
      stream.end('ok');
    }, 20);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function client(t: import('ava').ExecutionContext, port: number): Promise<ClientHttp2Session> {
  const session = connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  t.teardown(() => session.destroy());
  return new Promise((resolve) => session.once('remoteSettings', () => resolve(session)));
}

test('the server advertises at most 100 concurrent streams', async (t) => {
  const port = await h2cServer(t);
  const session = await client(t, port);
  t.is(session.remoteSettings.maxConcurrentStreams, 100);
});

test('rapid reset gets GOAWAY ENHANCE_YOUR_CALM; a polite client is served', async (t) => {
  const port = await h2cServer(t);
  const abuser = await client(t, port);
  let goaway: number | undefined;
  abuser.on('goaway', (code: number) => (goaway = code));
  for (let i = 0; i < 400 && goaway === undefined && !abuser.destroyed; i++) {
    const req = abuser.request({ ':path': '/' });
    req.on('error', () => undefined);
    // HEADERS, then RST_STREAM right behind them (on the next turn, once the HEADERS are on the wire).
    setImmediate(() => req.close(constants.NGHTTP2_CANCEL));
    if (i % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  await waitFor(() => goaway !== undefined, 5000, 'GOAWAY');
  t.is(goaway, constants.NGHTTP2_ENHANCE_YOUR_CALM);

  const polite = await client(t, port);
  const status = await new Promise<number>((resolve, reject) => {
    const req = polite.request({ ':path': '/' });
    req.on('response', (h) => resolve(Number(h[':status'])));
    req.on('error', reject);
    req.resume();
  });
  t.is(status, 200);
});
