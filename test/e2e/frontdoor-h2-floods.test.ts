/**
 * HTTP/2 floods against the real HTTPS entrypoint, as raw frames over TLS (ALPN h2): a CONTINUATION flood (one
 * header block that never ends) and a SETTINGS flood (tens of thousands of frames, each owed an acknowledgement).
 * Each must end with the abusive connection closed, within a deadline, while the gateway keeps serving a polite
 * HTTP/2 client. The flooding client reads (and drops) what the server sends.
 */
import test from 'ava';
import { connect as h2connect } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { startEdgeway } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints } from '../helpers/manifests.ts';
import { rawBackend } from '../helpers/raw-backend.ts';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** An HPACK literal header field without indexing, new name (RFC 7541 §6.2.2); short names and values only. */
function literal(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0x00, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value)]);
}

async function gateway(t: Parameters<typeof rawBackend>[0]) {
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
  return gw.edgeway.addresses.find((a) => a.name === 'https')?.port ?? 0;
}

/** Opens h2 over TLS, writes `frames` (as fast as the socket takes them), resolves once the server closes. */
function flood(port: number, frames: Iterable<Buffer>, deadlineMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', servername: 'app.test', rejectUnauthorized: false, ALPNProtocols: ['h2'] });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, deadlineMs);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.resume();
    socket.on('secureConnect', () => {
      const it = frames[Symbol.iterator]();
      const pump = (): void => {
        for (let next = it.next(); !next.done; next = it.next()) {
          if (socket.destroyed) return;
          if (!socket.write(next.value)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
}

async function politeStatus(port: number): Promise<number> {
  const session = h2connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false, servername: 'app.test' });
  session.on('error', () => undefined);
  try {
    return await new Promise<number>((resolve, reject) => {
      const req = session.request({ ':path': '/', ':authority': 'app.test' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
      req.resume();
      req.end();
    });
  } finally {
    session.close();
  }
}

test('CONTINUATION flood: the connection is closed and the gateway keeps serving', async (t) => {
  const port = await gateway(t);
  function* frames(): Generator<Buffer> {
    yield PREFACE;
    yield frame(0x4, 0, 0, Buffer.alloc(0));
    // HEADERS with END_STREAM but not END_HEADERS: :method GET, :scheme https, :path /, then a header block that never ends.
    yield frame(0x1, 0x1, 1, Buffer.concat([Buffer.from([0x82, 0x87, 0x84]), literal(':authority', 'app.test')]));
    const piece = literal('x-flood', 'a'.repeat(100));
    for (let i = 0; i < 20_000; i++) yield frame(0x9, 0, 1, piece);
  }
  t.true(await flood(port, frames(), 10_000), 'closed');
  t.is(await politeStatus(port), 200);
});

test('SETTINGS flood: the connection is closed and the gateway keeps serving', async (t) => {
  const port = await gateway(t);
  function* frames(): Generator<Buffer> {
    yield PREFACE;
    const settings = frame(0x4, 0, 0, Buffer.alloc(0));
    for (let i = 0; i < 50_000; i++) yield settings;
  }
  t.true(await flood(port, frames(), 10_000), 'closed');
  t.is(await politeStatus(port), 200);
});
