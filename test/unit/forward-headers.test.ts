/** The upstream header list as a pure function of the client's raw headers, and the response headers sent back (table-driven). */
import test from 'ava';
import { endToEndResponseHeaders } from '../../src/dataplane/request/hop-by-hop.ts';
import { forwardHeaders, type ForwardContext } from '../../src/dataplane/request/forward-headers.ts';

const base: ForwardContext = { clientIp: '192.0.2.1', trusted: false, proto: 'http', port: '8080', forwardProxyAuthorization: false, hostOverride: undefined };
const id = () => 'generated-id';

function headersOf(raw: string[], ctx: Partial<ForwardContext> = {}): Record<string, string[]> {
  const { headers } = forwardHeaders(raw, { ...base, ...ctx }, id);
  const out: Record<string, string[]> = {};
  for (let i = 0; i < headers.length; i += 2) (out[headers[i]!.toLowerCase()] ??= []).push(headers[i + 1]!);
  return out;
}

const cases: { name: string; raw: string[]; ctx?: Partial<ForwardContext>; expect: Record<string, string[] | undefined> }[] = [
  {
    name: 'untrusted client: X-Forwarded-* and X-Request-Id replaced',
    raw: [
      'Host',
      'a.test',
      'X-Forwarded-For',
      '6.6.6.6',
      'X-Forwarded-Proto',
      'https',
      'X-Request-Id',
      'evil',
      'Forwarded',
      'for=1.2.3.4',
      'X-Real-IP',
      '1.1.1.1',
    ],
    expect: {
      host: ['a.test'],
      'x-forwarded-for': ['192.0.2.1'],
      'x-forwarded-proto': ['http'],
      'x-forwarded-host': ['a.test'],
      'x-forwarded-port': ['8080'],
      'x-request-id': ['generated-id'],
      forwarded: undefined,
      'x-real-ip': undefined,
    },
  },
  {
    name: 'trusted proxy: chain appended, its proto/host/port/id kept',
    raw: [
      'Host',
      'a.test',
      'X-Forwarded-For',
      '203.0.113.9',
      'x-forwarded-for',
      '10.0.0.1',
      'X-Forwarded-Proto',
      'https',
      'X-Forwarded-Host',
      'orig.test',
      'X-Forwarded-Port',
      '443',
      'X-Request-Id',
      'abc',
    ],
    ctx: { trusted: true },
    expect: {
      'x-forwarded-for': ['203.0.113.9, 10.0.0.1, 192.0.2.1'],
      'x-forwarded-proto': ['https'],
      'x-forwarded-host': ['orig.test'],
      'x-forwarded-port': ['443'],
      'x-request-id': ['abc'],
    },
  },
  {
    name: 'hop-by-hop and Connection-named headers dropped',
    raw: [
      'Host',
      'a',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      '1',
      'Keep-Alive',
      'timeout=5',
      'TE',
      'trailers',
      'Trailer',
      'x',
      'Transfer-Encoding',
      'chunked',
      'Upgrade',
      'h2c',
      'Proxy-Connection',
      'keep-alive',
      'HTTP2-Settings',
      'x',
      'Expect',
      '100-continue',
      'X-Keep',
      'yes',
    ],
    expect: {
      connection: undefined,
      'x-hop': undefined,
      'keep-alive': undefined,
      te: undefined,
      trailer: undefined,
      'transfer-encoding': undefined,
      upgrade: undefined,
      'proxy-connection': undefined,
      'http2-settings': undefined,
      expect: undefined,
      'x-keep': ['yes'],
    },
  },
  {
    name: 'Connection: Host (hop-by-hop abuse) never strips Host or what edgeway writes',
    raw: ['Host', 'a.test', 'Connection', 'Host, X-Forwarded-For, X-Forwarded-Host, X-Request-Id, X-Hop', 'X-Hop', '1'],
    expect: {
      host: ['a.test'],
      'x-forwarded-host': ['a.test'],
      'x-forwarded-for': ['192.0.2.1'],
      'x-request-id': ['generated-id'],
      'x-hop': undefined,
      connection: undefined,
    },
  },
  {
    name: 'a trusted proxy cannot strip its own X-Forwarded-* through Connection either',
    raw: ['Host', 'a.test', 'Connection', 'x-forwarded-proto, x-forwarded-for', 'X-Forwarded-For', '203.0.113.9', 'X-Forwarded-Proto', 'https'],
    ctx: { trusted: true },
    expect: { host: ['a.test'], 'x-forwarded-for': ['203.0.113.9, 192.0.2.1'], 'x-forwarded-proto': ['https'] },
  },
  {
    name: 'Proxy-Authorization dropped unless configured',
    raw: ['Host', 'a', 'Proxy-Authorization', 'Basic x'],
    expect: { 'proxy-authorization': undefined },
  },
  {
    name: 'Proxy-Authorization forwarded when configured',
    raw: ['Host', 'a', 'Proxy-Authorization', 'Basic x'],
    ctx: { forwardProxyAuthorization: true },
    expect: { 'proxy-authorization': ['Basic x'] },
  },
  {
    name: 'ExternalName backends get their own Host; X-Forwarded-Host keeps the client one',
    raw: ['Host', 'client.test'],
    ctx: { hostOverride: 'api.example.com' },
    expect: { host: ['api.example.com'], 'x-forwarded-host': ['client.test'] },
  },
  {
    name: 'HTTPS entrypoint',
    raw: ['Host', 'a'],
    ctx: { proto: 'https', port: '8443' },
    expect: { 'x-forwarded-proto': ['https'], 'x-forwarded-port': ['8443'] },
  },
  {
    name: 'HTTP/2: pseudo-headers dropped, :authority becomes Host, X-Forwarded-Host from it',
    raw: [':method', 'GET', ':path', '/x', ':scheme', 'https', ':authority', 'a.test:8443', 'accept', '*/*'],
    ctx: { proto: 'https', port: '8443' },
    expect: {
      ':method': undefined,
      ':path': undefined,
      ':scheme': undefined,
      ':authority': undefined,
      host: ['a.test:8443'],
      'x-forwarded-host': ['a.test:8443'],
      'x-forwarded-proto': ['https'],
      accept: ['*/*'],
    },
  },
  {
    name: 'HTTP/2: a Host header wins over :authority; several Cookie fields joined with "; "',
    raw: [':authority', 'b.test', 'host', 'a.test', 'cookie', 'a=1', 'cookie', 'b=2', 'cookie', 'c=3'],
    expect: { host: ['a.test'], cookie: ['a=1; b=2; c=3'] },
  },
];

for (const c of cases) {
  test(c.name, (t) => {
    const got = headersOf(c.raw, c.ctx);
    for (const [name, value] of Object.entries(c.expect)) t.deepEqual(got[name], value, name);
  });
}

test('the request id returned is the one sent', (t) => {
  t.is(forwardHeaders(['Host', 'a'], base, id).requestId, 'generated-id');
  t.is(forwardHeaders(['Host', 'a', 'X-Request-Id', 'r1'], { ...base, trusted: true }, id).requestId, 'r1');
});

test('response headers: hop-by-hop fields and those Connection names dropped, the rest kept in order with their values', (t) => {
  const table: { upstream: Record<string, string | string[] | undefined>; expect: (string | string[])[] }[] = [
    { upstream: { 'content-length': '2', connection: 'keep-alive', 'keep-alive': 'timeout=5', date: 'x' }, expect: ['content-length', '2', 'date', 'x'] },
    {
      upstream: {
        connection: 'close, X-Hop',
        'x-hop': 's',
        'transfer-encoding': 'chunked',
        te: 't',
        trailer: 'x',
        upgrade: 'h2c',
        'proxy-connection': 'k',
        'http2-settings': 'x',
        'x-end': 'e',
      },
      expect: ['x-end', 'e'],
    },
    {
      upstream: { 'set-cookie': ['a=1', 'b=2'], connection: ['x-one', 'x-two'], 'x-one': '1', 'x-two': '2', 'x-three': '3' },
      expect: ['set-cookie', ['a=1', 'b=2'], 'x-three', '3'],
    },
    { upstream: { 'x-absent': undefined, server: 'b' }, expect: ['server', 'b'] },
  ];
  for (const { upstream, expect } of table) t.deepEqual(endToEndResponseHeaders(upstream), expect, JSON.stringify(upstream));
});
