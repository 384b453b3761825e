/** Access lines as JSON (both the proxied and the general form), their durations, and the per-connection client peer. */
import test from 'ava';
import { pino } from 'pino';
import { AccessLog, milliseconds, quoted, type AccessRecord } from '../../src/dataplane/request/access-log.ts';
import { clientPeer } from '../../src/dataplane/request/client-peer.ts';
import type { DownstreamRequest } from '../../src/dataplane/request/downstream.ts';
import { TrustedProxies } from '../../src/dataplane/request/trusted-proxies.ts';

function capture(): { log: AccessLog; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  const logger = pino({ base: { name: 'edgeway' } }, { write: (line: string) => written.push(line) });
  return { log: new AccessLog(logger, true), lines: () => written.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const proxied: AccessRecord = {
  method: 'GET',
  host: 'a.test',
  path: '/q"\\/é\u0001',
  status: 200,
  bytes: 11,
  durationMs: 1.23456,
  upstream: '127.0.0.1:8080',
  requestId: 'from "a" trusted proxy',
  ingress: 'default/web',
  service: 'default/web:http',
  reason: undefined,
};

test('a proxied request and an answer of edgeway’s own are each one JSON line with every field', (t) => {
  const { log, lines } = capture();
  log.write(proxied);
  log.write({ ...proxied, status: 404, upstream: undefined, requestId: undefined, ingress: undefined, service: undefined, reason: 'EDGEWAY_NO_ROUTE' });
  const [first, second] = lines();
  t.like(first, {
    level: 30,
    log: 'access',
    name: 'edgeway',
    method: 'GET',
    host: 'a.test',
    path: proxied.path,
    status: 200,
    bytes: 11,
    durationMs: 1.235,
    upstream: '127.0.0.1:8080',
    requestId: proxied.requestId,
    msg: 'request',
  });
  t.like(second, { level: 40, status: 404, upstream: null, requestId: null, ingress: null, service: null, reason: 'EDGEWAY_NO_ROUTE' });
  t.is(typeof first!.time, 'number');
});

test('client-supplied strings are JSON string literals, escaped only when they must be', (t) => {
  for (const value of ['/', '/api/v1/x%2F?', 'r-1', 'a"b', 'back\\slash', 'tab\tnew\nline', '\u0000', 'é', '\u{1F600}', '\ud800', '', '~ !']) {
    t.is(JSON.parse(quoted(value)), value, JSON.stringify(value));
  }
  t.is(quoted('/plain/path'), '"/plain/path"');
});

test('access-line durations are JSON numbers to the microsecond', (t) => {
  const table: [number, string][] = [
    [0, '0.000'],
    [0.0004, '0.000'],
    [0.0006, '0.001'],
    [1.2345, '1.235'],
    [12.3456789, '12.346'],
    [999.9996, '1000.000'],
    [3_600_000.5, '3600000.500'],
  ];
  for (const [ms, text] of table) {
    t.is(milliseconds(ms), text, String(ms));
    t.is(JSON.parse(text), Math.round(ms * 1000) / 1000);
  }
});

test('the client peer is kept per HTTP/1 connection until the trusted list changes', (t) => {
  const socket = { remoteAddress: '::ffff:10.1.2.3' };
  const req = { httpVersionMajor: 1, socket } as unknown as DownstreamRequest;
  const open = new TrustedProxies(['10.0.0.0/8']);
  t.deepEqual({ ...clientPeer(req, open) }, { ip: '10.1.2.3', trusted: true, list: open });
  socket.remoteAddress = '192.0.2.1'; // not read again on the same connection and list
  t.is(clientPeer(req, open).ip, '10.1.2.3');
  const closed = new TrustedProxies([]);
  t.like(clientPeer(req, closed), { ip: '192.0.2.1', trusted: false });
  const h2 = { httpVersionMajor: 2, socket: { remoteAddress: '::1' } } as unknown as DownstreamRequest;
  t.like(clientPeer(h2, new TrustedProxies(['::1'])), { ip: '::1', trusted: true });
});
