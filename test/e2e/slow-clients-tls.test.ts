/**
 * Slow clients on the HTTPS entrypoint: handshakes that never finish, bodies that crawl over HTTP/1.1 and HTTP/2,
 * and HTTP/2 responses a client never reads, each closed within its timeout plus one second.
 * Serial: each test's deadline has one second of slack, which other tests' load in the same process would eat.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect as h2connect } from 'node:http2';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect } from 'node:tls';
import { startEdgeway, tempDir, type Running } from '../helpers/edgeway.ts';
import { docs, ingress, INGRESS_CLASS, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen, waitFor } from '../helpers/servers.ts';
import { closedWithin, postHead, rawConnect, send } from '../fixtures/slow-clients-fixtures.ts';
import { ca, leaf } from '../fixtures/tls-fixtures.ts';

const PAIR = leaf(ca(), ['default.test']);

async function startHttps(t: ExecutionContext, downstream: string, backendPort: number): Promise<Running & { httpsPort: number }> {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'certs'));
  await writeFile(join(dir, 'certs', 'default.crt'), PAIR.certPem);
  await writeFile(join(dir, 'certs', 'default.key'), PAIR.keyPem, { mode: 0o600 });
  const running = await startEdgeway(
    t,
    docs(
      settings(`tls: {certificatesDir: ${join(dir, 'certs')}}\ndownstream: ${downstream}`),
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backendPort }]),
      ingress('in', [{ path: '/', service: 'svc' }]),
    ),
    { https: true, dir },
  );
  return { ...running, httpsPort: running.edgeway.addresses.find((a) => a.name === 'https')?.port ?? 0 };
}

async function echoBackend(t: ExecutionContext): Promise<number> {
  const backend = await listen(t, (req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  return backend.port;
}

test.serial('TLS handshakes that never finish are closed within the handshake timeout plus a second', async (t) => {
  const gw = await startHttps(t, '{handshakeTimeout: 1s}', await echoBackend(t));
  const closes: Promise<string>[] = [];
  for (let i = 0; i < 30; i++) {
    const socket = await rawConnect(t, gw.httpsPort);
    closes.push(closedWithin(socket, 2000, 'a handshake that never finishes'));
    // A third send the start of a ClientHello record that announces 512 bytes and never completes it.
    if (i % 3 === 0) await send(socket, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, ...Array<number>(20).fill(7)]));
  }
  t.is((await Promise.all(closes)).length, 30);
});

test.serial('HTTP/1.1 over TLS: a crawling body gets 408 within the request timeout plus a second', async (t) => {
  const gw = await startHttps(t, '{headersTimeout: 1s, requestTimeout: 2s}', await echoBackend(t));
  const answers = await Promise.all(
    Array.from(
      { length: 5 },
      () =>
        new Promise<string>((resolve, reject) => {
          const socket = tlsConnect({ host: '127.0.0.1', port: gw.httpsPort, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
            socket.write(postHead('default.test', '/', 1000));
            const timer = setInterval(() => socket.write('x'), 100);
            socket.once('close', () => clearInterval(timer));
            t.teardown(() => clearInterval(timer));
          });
          t.teardown(() => socket.destroy());
          const parts: Buffer[] = [];
          const deadline = setTimeout(() => reject(new Error('a crawling body over TLS is still open after 3 s')), 3000);
          socket.on('data', (c: Buffer) => parts.push(c));
          socket.on('error', () => undefined);
          socket.once('close', () => {
            clearTimeout(deadline);
            resolve(Buffer.concat(parts).toString('latin1'));
          });
        }),
    ),
  );
  for (const text of answers) t.regex(text, /^HTTP\/1\.1 408 /);
});

test.serial('HTTP/2: a crawling body gets 408 EDGEWAY_REQUEST_TIMEOUT and a stopped one EDGEWAY_BODY_TIMEOUT, within a second of the timeout', async (t) => {
  const gw = await startHttps(t, '{headersTimeout: 1s, requestTimeout: 2s, bodyTimeout: 1s}', await echoBackend(t));
  const session = h2connect(`https://127.0.0.1:${gw.httpsPort}`, { rejectUnauthorized: false, servername: 'default.test' });
  t.teardown(() => session.destroy());
  session.on('error', () => undefined);
  const answer = (crawl: boolean): Promise<{ status: number; code: string | undefined }> =>
    new Promise((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': '/', ':authority': 'default.test', 'content-length': '1000' }, { endStream: false });
      const deadline = setTimeout(() => reject(new Error('an HTTP/2 request is still open after its timeout plus a second')), crawl ? 3000 : 2000);
      const timer = crawl ? setInterval(() => stream.write('x'), 100) : null;
      if (!crawl) stream.write('abc');
      stream.on('error', () => undefined);
      stream.on('response', (headers) => {
        clearTimeout(deadline);
        if (timer !== null) clearInterval(timer);
        resolve({ status: Number(headers[':status']), code: headers['x-edgeway-error'] as string | undefined });
      });
      stream.on('close', () => {
        if (timer !== null) clearInterval(timer);
      });
    });
  const [crawling, stopped] = await Promise.all([answer(true), answer(false)]);
  t.deepEqual(crawling, { status: 408, code: 'EDGEWAY_REQUEST_TIMEOUT' });
  t.deepEqual(stopped, { status: 408, code: 'EDGEWAY_BODY_TIMEOUT' });
});

test.serial('HTTP/2: a response the client never reads is cut within the send timeout plus a second, its upstream aborted', async (t) => {
  const body = Buffer.alloc(16 * 1024 * 1024, 120);
  let cut: Promise<number> | null = null;
  const backend = await listen(t, (_req, res) => {
    const started = performance.now();
    cut = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the unread response is still open after 2 s')), 2000);
      res.on('close', () => {
        clearTimeout(timer);
        if (res.writableFinished) reject(new Error('the whole response was taken'));
        else resolve(performance.now() - started);
      });
    });
    res.writeHead(200, { 'content-length': String(body.length) });
    res.end(body);
  });
  const gw = await startHttps(t, '{sendTimeout: 1s}', backend.port);
  const session = h2connect(`https://127.0.0.1:${gw.httpsPort}`, { rejectUnauthorized: false, servername: 'default.test' });
  t.teardown(() => session.destroy());
  session.on('error', () => undefined);
  const stream = session.request({ ':path': '/big', ':authority': 'default.test' });
  stream.on('error', () => undefined);
  stream.pause();
  await waitFor(() => cut !== null, 5000, 'the request at the backend');
  t.true((await cut!) > 0);
});
