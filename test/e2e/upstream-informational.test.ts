/**
 * Informational (1xx) responses from a backend: a `103 Early Hints` is relayed to HTTP/1.1 and HTTP/2 clients, other
 * 1xx are dropped, and the final response always reaches the client (a 103 followed by 200 once gave it nothing).
 */
import test from 'ava';
import { connect as h2connect, type IncomingHttpHeaders } from 'node:http2';
import { startEdgeway } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints } from '../helpers/manifests.ts';
import { rawBackend } from '../helpers/raw-backend.ts';
import { rawExchange } from '../helpers/raw-client.ts';

const FINAL = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nfinal';
const HINTS = 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\nLink: </app.js>; rel=preload; as=script\r\n\r\n';

async function gateway(t: Parameters<typeof rawBackend>[0]) {
  const backend = await rawBackend(t, {
    respond: (req) => {
      if (req.target === '/hints') return HINTS + FINAL;
      if (req.target === '/processing') return 'HTTP/1.1 102 Processing\r\n\r\n' + FINAL;
      if (req.target === '/twice') return HINTS + 'HTTP/1.1 103 Early Hints\r\nLink: </late.css>; rel=preload\r\n\r\n' + FINAL;
      if (req.target === '/no-link') return 'HTTP/1.1 103 Early Hints\r\nX-Other: 1\r\n\r\n' + FINAL;
      return FINAL;
    },
  });
  return startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'app.test', path: '/', service: 'svc' }]),
    ),
    { https: true },
  );
}

test('HTTP/1.1: 103 relayed with its Link fields, then the final 200 with its body', async (t) => {
  const gw = await gateway(t);
  for (const path of ['/hints', '/twice']) {
    const answer = await rawExchange(gw.port, `GET ${path} HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n`);
    t.is(answer.statuses.at(-1), 200, `${path}: the final response arrives`);
    t.true(
      answer.statuses.slice(0, -1).every((s) => s === 103),
      `${path}: only 103s before it`,
    );
    t.regex(answer.text, /^HTTP\/1\.1 103 [\s\S]*Link: <\/style\.css>; rel=preload; as=style, <\/app\.js>; rel=preload; as=script\r\n/i, path);
    t.true(answer.text.endsWith('final'), `${path}: the final body`);
  }
});

test('HTTP/1.1: other 1xx and a 103 without Link are dropped; the final response arrives', async (t) => {
  const gw = await gateway(t);
  for (const path of ['/processing', '/no-link']) {
    const answer = await rawExchange(gw.port, `GET ${path} HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n`);
    t.deepEqual(answer.statuses, [200], path);
    t.true(answer.text.endsWith('final'), path);
  }
});

test('HTTP/1.0: no 1xx at all, the final response arrives', async (t) => {
  const gw = await gateway(t);
  const answer = await rawExchange(gw.port, 'GET /hints HTTP/1.0\r\nHost: app.test\r\n\r\n');
  t.deepEqual(answer.statuses, [200]);
  t.notRegex(answer.text, /103/);
});

test('HTTP/2: 103 relayed as an informational HEADERS frame, then the final response', async (t) => {
  const gw = await gateway(t);
  const httpsPort = gw.edgeway.addresses.find((a) => a.name === 'https')?.port ?? 0;
  const session = h2connect(`https://127.0.0.1:${httpsPort}`, { rejectUnauthorized: false, servername: 'app.test' });
  t.teardown(() => session.close());
  const result = await new Promise<{ informational: IncomingHttpHeaders[]; status: number; body: string }>((resolve, reject) => {
    const stream = session.request({ ':path': '/hints', ':authority': 'app.test' });
    const informational: IncomingHttpHeaders[] = [];
    let status = 0;
    let body = '';
    stream.on('headers', (h: IncomingHttpHeaders) => informational.push(h));
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (c: Buffer) => (body += c.toString()));
    stream.on('end', () => resolve({ informational, status, body }));
    stream.on('error', reject);
    stream.end();
  });
  t.is(result.status, 200);
  t.is(result.body, 'final');
  t.is(result.informational.length, 1);
  t.is(Number(result.informational[0]![':status']), 103);
  t.regex(String(result.informational[0]!.link), /<\/style\.css>; rel=preload; as=style/);
});
