/**
 * The proxy on real loopback sockets: forwarding headers, hop-by-hop stripping, failure mapping, aborts and large
 * streamed bodies both ways.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { startEdgeway } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen, unusedPort, waitFor } from '../helpers/servers.ts';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET', body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A backend that echoes what it received as JSON. */
async function echoBackend(t: Parameters<typeof listen>[0]) {
  return listen(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
}

function config(backendPort: number, extra = ''): string {
  return docs(
    INGRESS_CLASS,
    serviceWithEndpoints('echo', [{ ip: '127.0.0.1', port: backendPort }]),
    ingress('web', [{ host: 'app.test', path: '/', service: 'echo' }]),
    ...(extra ? [extra] : []),
  );
}

test('forwards to the endpoint with Host preserved and X-Forwarded-* and X-Request-Id set', async (t) => {
  const backend = await echoBackend(t);
  const gw = await startEdgeway(t, config(backend.port));
  const reply = await get(`${gw.url}/some/path?x=1&y=2`, { host: 'App.Test:8080', 'x-forwarded-for': '6.6.6.6', 'x-request-id': 'spoofed' });
  t.is(reply.status, 200);
  const seen = JSON.parse(reply.body.toString()) as { url: string; headers: Record<string, string> };
  t.is(seen.url, '/some/path?x=1&y=2');
  t.is(seen.headers.host, 'App.Test:8080');
  t.is(seen.headers['x-forwarded-for'], '127.0.0.1', 'an untrusted client cannot prepend addresses');
  t.is(seen.headers['x-forwarded-proto'], 'http');
  t.is(seen.headers['x-forwarded-host'], 'App.Test:8080');
  t.is(seen.headers['x-forwarded-port'], String(gw.port));
  t.regex(seen.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  t.not(seen.headers['x-request-id'], 'spoofed');
});

test('trusted proxies may pass X-Forwarded-For, X-Forwarded-Proto and X-Request-Id through', async (t) => {
  const backend = await echoBackend(t);
  const gw = await startEdgeway(t, config(backend.port, settings('trustedProxies: ["127.0.0.0/8"]')));
  const reply = await get(`${gw.url}/`, { host: 'app.test', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-request-id': 'abc-123' });
  const seen = JSON.parse(reply.body.toString()) as { headers: Record<string, string> };
  t.is(seen.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
  t.is(seen.headers['x-forwarded-proto'], 'https');
  t.is(seen.headers['x-request-id'], 'abc-123');
});

test('hop-by-hop headers are not forwarded in either direction', async (t) => {
  let received: IncomingHttpHeaders = {};
  const backend = await listen(t, (req, res) => {
    received = req.headers;
    res.setHeader('connection', 'x-backend-hop');
    res.setHeader('x-backend-hop', 'secret');
    res.setHeader('keep-alive', 'timeout=5');
    res.setHeader('proxy-connection', 'keep-alive');
    res.setHeader('x-end-to-end', 'kept');
    res.end('ok');
  });
  const gw = await startEdgeway(t, config(backend.port));
  const reply = await get(`${gw.url}/`, {
    host: 'app.test',
    connection: 'x-client-hop',
    'x-client-hop': 'secret',
    'keep-alive': 'timeout=5',
    te: 'trailers',
    'proxy-connection': 'keep-alive',
    'proxy-authorization': 'Basic Zm9vOmJhcg==',
    'x-kept': 'yes',
  });
  t.is(reply.status, 200);
  for (const name of ['x-client-hop', 'keep-alive', 'te', 'proxy-connection', 'proxy-authorization', 'upgrade', 'trailer']) {
    t.is(received[name], undefined, `${name} reached the backend`);
  }
  t.is(received['x-kept'], 'yes');
  t.is(reply.headers['x-backend-hop'], undefined);
  t.is(reply.headers['proxy-connection'], undefined);
  t.is(reply.headers['x-end-to-end'], 'kept');
});

test('no route is a 404, a missing Service a 503, no ready endpoints a 503, each marked as edgeway’s', async (t) => {
  const backend = await echoBackend(t);
  const gw = await startEdgeway(
    t,
    docs(
      config(backend.port),
      ingress('broken', [
        { host: 'missing.test', path: '/', service: 'nope' },
        { host: 'empty.test', path: '/', service: 'empty' },
      ]),
      `apiVersion: v1
kind: Service
metadata: { name: empty, namespace: default }
spec:
  selector: { app: nothing-matches }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
`,
    ),
  );
  const cases: [string, number, string][] = [
    ['unknown.test', 404, 'EDGEWAY_NO_ROUTE'],
    ['missing.test', 503, 'EDGEWAY_BACKEND_UNAVAILABLE'],
    ['empty.test', 503, 'EDGEWAY_NO_ENDPOINTS'],
  ];
  for (const [host, status, code] of cases) {
    const reply = await get(`${gw.url}/`, { host });
    t.is(reply.status, status, host);
    t.is(reply.headers['x-edgeway-error'], code, host);
    t.is(reply.headers.server, 'edgeway');
    t.regex(reply.body.toString(), new RegExp(`^${status} `));
  }
});

test('connection refused is a 502, a reset before the response a 502, a slow backend a 504', async (t) => {
  const refused = await unusedPort();
  const resetting = await listen(t, (req) => req.socket.destroy());
  const hanging = await listen(t, () => {});
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('refused', [{ ip: '127.0.0.1', port: refused }]),
      serviceWithEndpoints('resetting', [{ ip: '127.0.0.1', port: resetting.port }]),
      serviceWithEndpoints('hanging', [{ ip: '127.0.0.1', port: hanging.port }]),
      ingress('web', [
        { host: 'refused.test', path: '/', service: 'refused' },
        { host: 'reset.test', path: '/', service: 'resetting' },
        { host: 'slow.test', path: '/', service: 'hanging' },
      ]),
      settings('upstream:\n  headersTimeout: 300ms'),
    ),
  );
  const cases: [string, number, string][] = [
    ['refused.test', 502, 'EDGEWAY_UPSTREAM_CONNECT'],
    ['reset.test', 502, 'EDGEWAY_UPSTREAM_RESET'],
    ['slow.test', 504, 'EDGEWAY_UPSTREAM_TIMEOUT'],
  ];
  for (const [host, status, code] of cases) {
    const reply = await get(`${gw.url}/`, { host });
    t.is(reply.status, status, host);
    t.is(reply.headers['x-edgeway-error'], code, host);
  }
});

test('a client abort cancels the upstream request', async (t) => {
  let upstreamClosed = false;
  let upstreamStarted = false;
  const backend = await listen(t, (_req, res) => {
    upstreamStarted = true;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first chunk');
    res.on('close', () => (upstreamClosed = true));
  });
  const gw = await startEdgeway(t, config(backend.port));
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest(`${gw.url}/stream`, { headers: { host: 'app.test' }, agent: false }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.end();
  });
  t.true(upstreamStarted);
  await waitFor(() => upstreamClosed, 5000, 'the upstream request to be cancelled');
  t.pass();
});

test('an upstream abort mid-body ends the client response without harming the next request', async (t) => {
  let calls = 0;
  const backend = await listen(t, (_req, res) => {
    calls += 1;
    if (calls === 1) {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setImmediate(() => res.socket?.destroy());
      return;
    }
    res.end('whole');
  });
  const gw = await startEdgeway(t, config(backend.port));
  const failed = await new Promise<string>((resolve) => {
    const req = httpRequest(`${gw.url}/`, { headers: { host: 'app.test' }, agent: false }, (res: IncomingMessage) => {
      res.on('data', () => {});
      res.on('error', (err) => resolve(err.message));
      res.on('end', () => resolve('ended'));
      res.on('aborted', () => resolve('aborted'));
    });
    req.on('error', (err) => resolve(err.message));
    req.end();
  });
  t.not(failed, 'ended', 'a truncated body must not look complete');
  const next = await get(`${gw.url}/`, { host: 'app.test' });
  t.is(next.body.toString(), 'whole');
});

test('large bodies stream both ways, chunked and with Content-Length', async (t) => {
  const size = 24 * 1024 * 1024;
  const payload = randomBytes(size);
  const digest = createHash('sha256').update(payload).digest('hex');
  const backend = await listen(t, (req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-length': String(size) });
      res.end(payload);
      return;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
      hash.update(c);
    });
    req.on('end', () => res.end(JSON.stringify({ bytes, digest: hash.digest('hex'), te: req.headers['transfer-encoding'] ?? null })));
  });
  const gw = await startEdgeway(t, config(backend.port));

  const download = await get(`${gw.url}/file`, { host: 'app.test' });
  t.is(download.body.length, size);
  t.is(createHash('sha256').update(download.body).digest('hex'), digest);

  const withLength = await get(`${gw.url}/upload`, { host: 'app.test', 'content-length': String(size) }, 'POST', payload);
  t.deepEqual(JSON.parse(withLength.body.toString()), { bytes: size, digest, te: null });

  const chunked = await new Promise<string>((resolve, reject) => {
    const req = httpRequest(`${gw.url}/upload`, { method: 'POST', headers: { host: 'app.test' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on('error', reject);
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < size; i += 1 << 20) yield payload.subarray(i, i + (1 << 20));
      })(),
    );
    pipeline(source, req).catch(reject);
  });
  t.deepEqual(JSON.parse(chunked), { bytes: size, digest, te: 'chunked' });
});

test('garbage on the wire gets a 400 and never harms other clients or the process', async (t) => {
  const backend = await echoBackend(t);
  const gw = await startEdgeway(t, config(backend.port));
  const junk = [
    Buffer.from('\x00\x01\x02\x03garbage\r\n\r\n'),
    Buffer.from('GET / HTTP/1.1\r\nHost: app.test\r\nContent-Length: abc\r\n\r\n'),
    Buffer.from('GET /\x7f HTTP/1.1\r\nHost: app.test\r\n\r\n'),
    Buffer.from(`GET / HTTP/1.1\r\nHost: app.test\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`),
    Buffer.from('GET / HTTP/1.1\r\n\r\n'),
    Buffer.from('GET / HTTP/1.1\r\nHost: a b c\r\n\r\n'),
    randomBytes(4096),
  ];
  for (const bytes of junk) {
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(gw.port, '127.0.0.1');
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
      socket.end(bytes);
    });
    t.regex(answer.split('\r\n')[0] ?? '', /^(HTTP\/1\.1 4\d\d|)/);
    t.notRegex(answer, /^HTTP\/1\.1 200/);
  }
  const ok = await get(`${gw.url}/`, { host: 'app.test' });
  t.is(ok.status, 200);
});

test('every response framing arrives whole on one keep-alive connection: HEAD, empty, 204, Content-Length in pieces, chunked', async (t) => {
  const backend = await listen(t, (req, res) => {
    switch (req.url) {
      case '/head':
      case '/pieces':
        res.writeHead(200, { 'content-length': '10' });
        if (req.method === 'HEAD') return void res.end();
        // The body in three writes with pauses between, so edgeway gets it as several chunks.
        res.write('abc');
        setImmediate(() => {
          res.write('defg');
          setImmediate(() => res.end('hij'));
        });
        return;
      case '/empty':
        res.writeHead(200, { 'content-length': '0' }).end();
        return;
      case '/no-content':
        res.writeHead(204).end();
        return;
      default:
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('chunk-1;');
        setImmediate(() => res.end('chunk-2'));
    }
  });
  const gw = await startEdgeway(t, config(backend.port));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const sockets = new Set<unknown>();
  const send = (method: string, path: string) =>
    new Promise<Reply>((resolve, reject) => {
      const req = httpRequest(`${gw.url}${path}`, { method, headers: { host: 'app.test' }, agent }, (res) => {
        sockets.add(res.socket);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
  for (let round = 0; round < 2; round++) {
    const head = await send('HEAD', '/head');
    t.is(head.status, 200);
    t.is(head.headers['content-length'], '10');
    t.is(head.body.length, 0);
    const pieces = await send('GET', '/pieces');
    t.is(pieces.body.toString(), 'abcdefghij');
    t.is(pieces.headers['content-length'], '10');
    const empty = await send('GET', '/empty');
    t.is(empty.status, 200);
    t.is(empty.body.length, 0);
    const noContent = await send('GET', '/no-content');
    t.is(noContent.status, 204);
    const chunked = await send('GET', '/chunked');
    t.is(chunked.body.toString(), 'chunk-1;chunk-2');
    t.is(chunked.headers['transfer-encoding'], 'chunked');
  }
  t.is(sockets.size, 1, 'all ten exchanges used one client connection');
});
