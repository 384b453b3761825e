/**
 * Session resumption on an HTTPS listener with rotating ticket keys (ticket-keys.ts, secure-listener.ts): a client
 * reconnecting with the session of its first connection resumes over both ALPN paths (node:http for HTTP/1.1,
 * node:http2 for h2), with SNI or without; after one rotation the previous key still resumes, after two it does
 * not. Rotation is driven through the ring, never by a timer. Also: the ClientHello parser on malformed input.
 */
import test, { type ExecutionContext } from 'ava';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import { DEFAULT_SETTINGS } from '../../src/config/settings-defaults.ts';
import { createLogger } from '../../src/log.ts';
import { SESSION_ID_CONTEXT, tlsServerOptions } from '../../src/dataplane/listeners/https-options.ts';
import { listenOn } from '../../src/dataplane/listeners/listen-on.ts';
import {
  closeSecureListener,
  createSecureListener,
  destroySecureListener,
  followTicketKeys,
  onSecureRequest,
} from '../../src/dataplane/listeners/secure-listener.ts';
import { TicketKeyRing } from '../../src/tls/ticket-keys.ts';
import { TlsIdentity } from '../../src/dataplane/listeners/tls-identity.ts';
import type { EntrypointRuntime } from '../../src/dataplane/request/http-entrypoint.ts';
import { firstRecordBytes, ticketKeyName } from '../../src/tls/client-hello.ts';
import { inspectPem } from '../../src/tls/pem-inspection.ts';
import { ca, leaf } from '../fixtures/tls-fixtures.ts';

const ROOT = ca('resumption test root');
const DEFAULT = leaf(ROOT, ['default.test']);
const SNI_HOST = leaf(ROOT, ['a.test']);

async function listener(t: ExecutionContext, ring: TicketKeyRing): Promise<number> {
  const inspected = inspectPem(DEFAULT.certPem, DEFAULT.keyPem, new Date());
  if (inspected.material === undefined) throw new Error('fixture certificate');
  const material = inspected.material;
  const sniContext: SecureContext = createSecureContext({ cert: SNI_HOST.certPem, key: SNI_HOST.keyPem, sessionIdContext: SESSION_ID_CONTEXT });
  const options = tlsServerOptions(DEFAULT_SETTINGS, material, (name, cb) => cb(null, name === 'a.test' ? sniContext : undefined));
  const secure = createSecureListener(DEFAULT_SETTINGS, options, ring, material.fingerprint, createLogger('silent'), null);
  // The data plane's TlsIdentity subscribes its listeners the same way.
  ring.onChange((k) => followTicketKeys(secure, k));
  onSecureRequest(secure, (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('x-version', req.httpVersion);
    res.end('ok');
  });
  const port = await listenOn(secure.server, '127.0.0.1', 0);
  t.teardown(async () => {
    const closed = closeSecureListener(secure);
    destroySecureListener(secure);
    await closed;
  });
  return port;
}

type Alpn = 'http/1.1' | 'h2';

/** One TLS connection that completes a request (so TLS 1.3 tickets arrive); whether it resumed, and its session. */
function connect(
  port: number,
  alpn: Alpn,
  servername: string | null,
  session?: Buffer,
  maxVersion: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.3',
): Promise<{ reused: boolean; session: Buffer | undefined; protocol: string | false | null }> {
  return new Promise((resolve, reject) => {
    let ticket: Buffer | undefined;
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      ca: ROOT.certPem,
      ...(servername === null ? { checkServerIdentity: () => undefined } : { servername }),
      ALPNProtocols: [alpn],
      maxVersion,
      ...(session === undefined ? {} : { session }),
    });
    socket.on('session', (s: Buffer) => (ticket = s));
    let reused = false;
    socket.on('secureConnect', () => {
      reused = socket.isSessionReused();
      if (alpn === 'http/1.1') socket.write('GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
      else {
        // The h2 preface and an empty SETTINGS frame, then close once the server's SETTINGS arrive.
        socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
      }
    });
    // TLS 1.3 tickets come before the server's first data (its SETTINGS, for h2): close once that arrives.
    socket.on('data', () => {
      if (alpn === 'h2') socket.end();
    });
    socket.on('close', () => resolve({ reused, session: ticket, protocol: socket.alpnProtocol }));
    socket.on('error', reject);
  });
}

for (const alpn of ['http/1.1', 'h2'] as const) {
  for (const servername of ['a.test', null]) {
    test(`resumption over ${alpn}, ${servername === null ? 'without SNI' : 'with SNI'}: the previous key resumes, one two rotations old does not`, async (t) => {
      const ring = new TicketKeyRing();
      const port = await listener(t, ring);
      const first = await connect(port, alpn, servername);
      t.is(first.protocol, alpn);
      t.false(first.reused);
      t.truthy(first.session);
      const again = await connect(port, alpn, servername, first.session);
      t.true(again.reused, 'the ticket from the first connection resumes');
      t.is(again.protocol, alpn);

      ring.rotate();
      const afterOne = await connect(port, alpn, servername, first.session);
      t.true(afterOne.reused, 'a ticket under the previous key still resumes');
      const fresh = await connect(port, alpn, servername);
      t.false(fresh.reused);

      ring.rotate();
      const afterTwo = await connect(port, alpn, servername, first.session);
      t.false(afterTwo.reused, 'a ticket under a key two rotations old does not resume');
      t.is(afterTwo.protocol, alpn, 'the full handshake still serves');
      const third = await connect(port, alpn, servername, fresh.session);
      t.true(third.reused, 'a ticket from the current key before the rotation resumes under it as previous');
    });
  }
}

test('TLS 1.2: a ticket resumes under the current key and the previous one, not under one two rotations old', async (t) => {
  const ring = new TicketKeyRing();
  const port = await listener(t, ring);
  const first = await connect(port, 'http/1.1', 'a.test', undefined, 'TLSv1.2');
  t.false(first.reused);
  t.true((await connect(port, 'http/1.1', 'a.test', first.session, 'TLSv1.2')).reused);
  ring.rotate();
  t.true((await connect(port, 'h2', 'a.test', first.session, 'TLSv1.2')).reused, 'previous key, and over h2');
  ring.rotate();
  t.false((await connect(port, 'http/1.1', 'a.test', first.session, 'TLSv1.2')).reused);
});

test('a connection reset or closed before its ClientHello is over, leaves the listener serving', async (t) => {
  const ring = new TicketKeyRing();
  const port = await listener(t, ring);
  for (const bytes of [Buffer.alloc(0), Buffer.from([0x16, 3, 1, 0x02, 0x00, 1, 0])]) {
    await new Promise<void>((resolve) => {
      const socket = netConnect(port, '127.0.0.1', () => {
        socket.write(bytes);
        socket.resetAndDestroy();
      });
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
  }
  const ok = await connect(port, 'http/1.1', 'a.test');
  t.is(ok.protocol, 'http/1.1');
});

test("a worker serving its primary's keys (TlsIdentity.useTicketKeys) resumes the primary's tickets, before and after a rotation", async (t) => {
  const inspected = inspectPem(DEFAULT.certPem, DEFAULT.keyPem, new Date());
  if (inspected.material === undefined) throw new Error('fixture certificate');
  const material = inspected.material;
  const context = createSecureContext({ cert: DEFAULT.certPem, key: DEFAULT.keyPem });
  // Just what TlsIdentity reads of the data plane: the current SNI table's default and selection, and the logger.
  const entry = { material, context };
  const runtime = { current: { sni: { defaultEntry: entry, select: () => entry } }, logger: createLogger('silent'), rejections: null };
  const identities = [0, 1].map(() => new TlsIdentity(runtime as unknown as EntrypointRuntime, material));
  const [primary, worker] = identities as [TlsIdentity, TlsIdentity];
  worker.useTicketKeys(primary.ticketKeys.keys);
  const ports: number[] = [];
  for (const identity of identities) {
    const secure = identity.secureServer(DEFAULT_SETTINGS);
    onSecureRequest(secure, (_req: IncomingMessage, res: ServerResponse) => res.end('ok'));
    ports.push(await listenOn(secure.server, '127.0.0.1', 0));
    t.teardown(async () => {
      identity.stopRotating();
      const closed = closeSecureListener(secure);
      destroySecureListener(secure);
      await closed;
    });
  }
  const [primaryPort, workerPort] = ports as [number, number];
  const first = await connect(primaryPort, 'http/1.1', null);
  t.true((await connect(workerPort, 'http/1.1', null, first.session)).reused, "the worker resumes the primary's ticket");
  primary.ticketKeys.rotate();
  worker.useTicketKeys(primary.ticketKeys.keys);
  t.true((await connect(workerPort, 'h2', null, first.session)).reused, 'and still after the primary rotated');
  primary.ticketKeys.rotate();
  worker.useTicketKeys(primary.ticketKeys.keys);
  t.false((await connect(workerPort, 'http/1.1', null, first.session)).reused);
});

test('keys installed from outside: a pair from another process resumes its tickets', async (t) => {
  const primary = new TicketKeyRing();
  const a = new TicketKeyRing(primary.keys);
  const b = new TicketKeyRing();
  const portA = await listener(t, a);
  const portB = await listener(t, b);
  const first = await connect(portA, 'http/1.1', 'a.test');
  t.false((await connect(portB, 'http/1.1', 'a.test', first.session)).reused, 'unrelated keys do not resume');
  b.install(primary.keys);
  t.true((await connect(portB, 'http/1.1', 'a.test', first.session)).reused, 'the same keys resume across listeners');
  primary.rotate();
  a.install(primary.keys);
  b.install(primary.keys);
  t.true((await connect(portB, 'http/1.1', 'a.test', first.session)).reused);
  t.throws(() => b.install({ current: Buffer.alloc(16), previous: primary.keys.current }), { message: /48 bytes/ });
});

test('client hello: record sizes and garbage; the ring names its keys', async (t) => {
  t.is(firstRecordBytes(Buffer.from('GET / HTTP/1.1\r\n')), null);
  t.is(firstRecordBytes(Buffer.from([0x16, 3])), 5);
  t.is(firstRecordBytes(Buffer.from([0x16, 3, 1, 0x02, 0x00])), 5 + 512);
  t.is(ticketKeyName(Buffer.from([0x16, 3, 1, 0, 4, 1, 0, 0, 0])), null);
  t.is(ticketKeyName(Buffer.alloc(3)), null);
  const ring = new TicketKeyRing();
  t.is(ring.keyNamed(ring.keys.current.subarray(0, 16)), 'current');
  t.is(ring.keyNamed(ring.keys.previous.subarray(0, 16)), 'previous');
  t.is(ring.keyNamed(Buffer.alloc(16)), null);
});
