/**
 * Slow clients over plain HTTP/1.1: uploads that crawl must not hold upstream connections (request buffering),
 * bodies that stop are closed by the body timeout, bodies that crawl by the request timeout, and responses a client
 * never reads by the send timeout, each within its timeout plus one second.
 * Serial: each test's deadline has one second of slack, which other tests' load in the same process would eat.
 */
import test from 'ava';
import { performance } from 'node:perf_hooks';
import { startEdgeway } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, ingress, INGRESS_CLASS, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen, waitFor } from '../helpers/servers.ts';
import { closedWithin, dribble, postHead, rawConnect, send } from '../fixtures/slow-clients-fixtures.ts';

const SLOW_UPLOADS = 140;

test.serial('140 slow uploads hold no upstream connection: a well-behaved client of the same backend gets every answer', async (t) => {
  let slowAtBackend = 0;
  const backend = await listen(t, (req, res) => {
    if (req.url === '/slow') slowAtBackend++;
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  // A pool of 4 connections: without buffering, 4 slow uploads would already hold all of it.
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('upstream: {connections: 4}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('in', [{ host: 'u.test', path: '/', service: 'svc' }]),
    ),
  );
  for (let i = 0; i < SLOW_UPLOADS; i++) {
    const socket = await rawConnect(t, gw.port);
    await send(socket, `${postHead('u.test', '/slow', 1000)}x`);
  }
  await waitFor(() => gw.edgeway.watchedClients >= SLOW_UPLOADS, 10_000, 'every slow upload being read by edgeway');
  const good = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      i % 2 === 0 ? httpGet(`${gw.url}/good`, { host: 'u.test' }) : httpGet(`${gw.url}/good`, { host: 'u.test' }, 'POST', 'a small body'),
    ),
  );
  t.deepEqual(
    good.map((r) => r.status),
    Array<number>(16).fill(200),
  );
  t.is(slowAtBackend, 0, 'no slow upload reached the backend');
  t.is(gw.edgeway.backendLoad('default/svc:80')?.active, 0);
});

test.serial('a body that stops is answered 408 EDGEWAY_BODY_TIMEOUT and closed within the body timeout plus a second', async (t) => {
  let atBackend = 0;
  const backend = await listen(t, (req, res) => {
    atBackend++;
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('downstream: {bodyTimeout: 1s}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('in', [{ host: 'b.test', path: '/', service: 'svc' }]),
    ),
  );
  const answers = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const socket = await rawConnect(t, gw.port);
      await send(socket, `${postHead('b.test', '/', 100)}abc`);
      return closedWithin(socket, 2000, 'a stopped body');
    }),
  );
  for (const text of answers) {
    t.regex(text, /^HTTP\/1\.1 408 /);
    t.regex(text, /x-edgeway-error: EDGEWAY_BODY_TIMEOUT/i);
  }
  t.is(atBackend, 0, 'a buffered body that never completed never went upstream');
});

test.serial('a body larger than the buffer streams, and is cut within the body timeout plus a second when it stops', async (t) => {
  let aborted = 0;
  let received = 0;
  const backend = await listen(t, (req, res) => {
    req.on('data', (c: Buffer) => (received += c.length));
    req.on('end', () => res.end('ok'));
    res.on('close', () => {
      if (!res.writableFinished) aborted++;
    });
  });
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('downstream: {bodyTimeout: 1s, requestBufferSize: 16k}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('in', [{ host: 'b.test', path: '/', service: 'svc' }]),
    ),
  );
  const socket = await rawConnect(t, gw.port);
  await send(socket, postHead('b.test', '/', 1024 * 1024));
  await send(socket, Buffer.alloc(64 * 1024, 120));
  await waitFor(() => received === 64 * 1024, 5000, 'the streamed part at the backend');
  await closedWithin(socket, 2000, 'a stopped streamed body');
  await waitFor(() => aborted === 1, 1000, 'the upstream request aborted');
  t.pass();
});

test.serial('bodies sent a byte at a time are closed by the request timeout within a second of it', async (t) => {
  const backend = await listen(t, (req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('downstream: {headersTimeout: 1s, requestTimeout: 2s, requestBufferSize: 16k}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('in', [{ host: 'r.test', path: '/', service: 'svc' }]),
    ),
  );
  // Half buffered (the body fits the buffer), half streaming upstream (it does not): the timeout covers both.
  const answers = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const socket = await rawConnect(t, gw.port);
      const closed = closedWithin(socket, 3000, 'a crawling body');
      await send(socket, postHead('r.test', '/', i % 2 === 0 ? 1000 : 1024 * 1024));
      if (i % 2 === 1) await send(socket, Buffer.alloc(32 * 1024, 120));
      dribble(t, socket, 100);
      return closed;
    }),
  );
  for (const text of answers) t.regex(text, /^HTTP\/1\.1 408 /);
});

test.serial('responses a client never reads are cut within the send timeout plus a second, and their upstream aborted', async (t) => {
  const body = Buffer.alloc(16 * 1024 * 1024, 120);
  const cut: Promise<number>[] = [];
  const backend = await listen(t, (_req, res) => {
    const started = performance.now();
    cut.push(
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the unread response is still open after 2 s')), 2000);
        res.on('close', () => {
          clearTimeout(timer);
          if (res.writableFinished) reject(new Error('the whole response was taken'));
          else resolve(performance.now() - started);
        });
      }),
    );
    res.writeHead(200, { 'content-length': String(body.length) });
    res.end(body);
  });
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      settings('downstream: {sendTimeout: 1s}'),
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('in', [{ host: 'd.test', path: '/', service: 'svc' }]),
    ),
  );
  for (let i = 0; i < 5; i++) {
    const socket = await rawConnect(t, gw.port);
    socket.pause();
    await send(socket, 'GET /big HTTP/1.1\r\nHost: d.test\r\n\r\n');
  }
  await waitFor(() => cut.length === 5, 5000, 'the five requests at the backend');
  const elapsed = await Promise.all(cut);
  t.is(elapsed.length, 5);
  await waitFor(() => gw.edgeway.backendLoad('default/svc:80')?.active === 0, 1000, 'the exchanges finished');
});
