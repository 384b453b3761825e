/**
 * A seeded generator of hostile HTTP/1 requests for the front-door fuzzer (test/e2e/frontdoor-fuzz.test.ts). Each case
 * starts from a well-formed request and applies one to three mutations to its request line (methods, targets,
 * versions such as HTTP/2.0, HTTP/0.9, HTTP/1.2 and garbage), its header block (odd bytes in names and values,
 * duplicates, huge counts, line ends) or its body framing (Content-Length and Transfer-Encoding combinations, short
 * and malformed chunked bodies). Starting from a valid request keeps most cases deep enough to reach edgeway's own
 * code rather than stopping at Node's parser. The same seed always gives the same cases.
 */

/** mulberry32: a small, fast PRNG whose whole state is one 32-bit number. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzCase {
  /** What was mutated, for assertion messages. */
  readonly label: string;
  readonly bytes: Buffer;
}

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'HEAD',
  'DELETE',
  'OPTIONS',
  'PATCH',
  'TRACE',
  'CONNECT',
  'PRI',
  'get',
  'G\x00T',
  'GET GET',
  '',
  'X'.repeat(300),
  'M-SEARCH',
  'PROPFIND',
  'QUERY',
];
const TARGETS = [
  '/',
  '/a/b?c=d',
  '*',
  'http://app.test/x',
  'http://other.test/x',
  'https://app.test/x',
  '//app.test/x',
  'app.test:80',
  '/%00',
  '/..%2f..%2fetc',
  '/a/../../b',
  '/\x7f',
  '/\u00e4',
  '',
  ' /',
  '/a b',
  '/#frag',
  `/${'a'.repeat(6000)}`,
  '/?' + '&x'.repeat(500),
  'http://app.test:99999/',
  'http://[::1]/',
  '/\\..\\x',
];
const VERSIONS = [
  'HTTP/1.1',
  'HTTP/1.0',
  'HTTP/2.0',
  'HTTP/0.9',
  'HTTP/1.2',
  'HTTP/3.0',
  'HTTP/1.10',
  'http/1.1',
  'HTTP/1',
  'HTTP/11',
  'HTXP/1.1',
  'HTTP/1.1 ',
  'HTTP/9.9',
  '',
];
const HOSTS = [
  'app.test',
  'APP.TEST',
  'app.test:80',
  'app.test.',
  '',
  'app test',
  'other.test',
  '[::1]',
  'app.test:',
  'app.test\x00',
  `${'a'.repeat(300)}.test`,
  'app.test, other.test',
  '127.0.0.1',
];
const NAMES = [
  'X-A',
  'Connection',
  'Transfer-Encoding',
  'Content-Length',
  'Expect',
  'Upgrade',
  'TE',
  'Keep-Alive',
  'Host',
  ':authority',
  'Cookie',
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Request-Id',
  'Proxy-Connection',
  'HTTP2-Settings',
  'Trailer',
  'X\x01Y',
  'X Y',
  'X:Y',
  '',
  'x-\u00ff',
  'Forwarded',
];
const VALUES = [
  'x',
  '',
  'chunked',
  'Chunked',
  'gzip, chunked',
  'identity',
  '100-continue',
  'h2c',
  'websocket',
  'close',
  'keep-alive',
  'Host',
  'Host, X-Forwarded-For',
  '-1',
  '1e3',
  '0x10',
  ' 5 ',
  '99999999999999999999',
  'a\x00b',
  'a\x7fb',
  'a\u00ffb',
  'a\tb',
  'v'.repeat(9000),
  'upgrade',
  '1.2.3.4',
  'for=1.2.3.4',
];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

interface Draft {
  method: string;
  target: string;
  version: string;
  eol: string;
  headers: [string, string][];
  body: string;
}

type Mutation = (d: Draft, rand: () => number) => string;

const MUTATIONS: readonly Mutation[] = [
  (d, r) => `method ${JSON.stringify((d.method = pick(r, METHODS)))}`,
  (d, r) => `target ${JSON.stringify((d.target = pick(r, TARGETS))).slice(0, 40)}`,
  (d, r) => `version ${JSON.stringify((d.version = pick(r, VERSIONS)))}`,
  (d, r) => `version ${JSON.stringify((d.version = pick(r, VERSIONS)))}`,
  (d, r) => {
    const host = pick(r, HOSTS);
    d.headers.unshift(['Host', host]);
    if (d.headers[1]?.[0] === 'Host') d.headers.splice(1, 1);
    return `host ${JSON.stringify(host).slice(0, 30)}`;
  },
  (d, r) => {
    d.headers.push(['Host', pick(r, HOSTS)]);
    return 'second Host';
  },
  (d) => {
    d.headers.shift();
    return 'no Host';
  },
  (d, r) => {
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) d.headers.push([pick(r, NAMES), pick(r, VALUES)]);
    return `${n} odd headers`;
  },
  (d, r) => {
    const name = pick(r, NAMES);
    const value = pick(r, VALUES);
    d.headers.push([name, value], [name, value]);
    return `duplicate ${JSON.stringify(name)}`;
  },
  (d, r) => {
    const n = 20 + Math.floor(r() * 150);
    for (let i = 0; i < n; i++) d.headers.push([`X-${i}`, String(i)]);
    return `${n} headers`;
  },
  (d, r) => {
    d.eol = pick(r, ['\n', '\r', '\r\n\r\n', '\r\r\n', '\n\r']);
    return `line end ${JSON.stringify(d.eol)}`;
  },
  (d) => {
    d.body = 'hello';
    d.headers.push(['Content-Length', '5']);
    return 'body with Content-Length';
  },
  (d, r) => {
    const sent = pick(r, ['', 'hel', 'hello world']);
    d.body = sent;
    d.headers.push(['Content-Length', '5']);
    return `Content-Length 5 with ${sent.length} bytes`;
  },
  (d, r) => {
    d.headers.push(['Transfer-Encoding', 'chunked']);
    d.body = pick(r, [
      '5\r\nhello\r\n0\r\n\r\n',
      '5g\r\nhello\r\n0\r\n\r\n',
      '3\r\nabcX\r\n0\r\n\r\n',
      `${'f'.repeat(20)}\r\n`,
      '0\r\n\r\n',
      '5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n',
      '5\r\nhel',
    ]);
    return `chunked ${JSON.stringify(d.body).slice(0, 20)}`;
  },
  (d, r) => {
    d.headers.push(['Content-Length', '5'], ['Transfer-Encoding', pick(r, ['chunked', ' chunked', 'chunked ', 'x chunked', 'gzip, chunked'])]);
    d.body = '5\r\nhello\r\n0\r\n\r\n';
    return 'Content-Length and Transfer-Encoding';
  },
  (d) => {
    d.headers.push(['Expect', '100-continue'], ['Content-Length', '5']);
    d.body = 'hello';
    return 'Expect: 100-continue';
  },
  (d, r) => {
    d.headers.push(
      ['Connection', pick(r, ['Upgrade', 'Upgrade, HTTP2-Settings', 'Host', 'close'])],
      ['Upgrade', pick(r, ['websocket', 'h2c', 'HTTP/2.0', 'x'])],
    );
    return 'upgrade';
  },
  (d) => {
    d.method = 'PRI';
    d.target = '*';
    d.version = 'HTTP/2.0';
    d.body = 'SM\r\n\r\n';
    return 'HTTP/2 preface';
  },
];

/** `count` cases from `seed`; each starts from a valid GET for app.test. */
export function fuzzCases(seed: number, count: number): FuzzCase[] {
  const rand = prng(seed);
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const draft: Draft = { method: 'GET', target: '/fuzz', version: 'HTTP/1.1', eol: '\r\n', headers: [['Host', 'app.test']], body: '' };
    const labels: string[] = [];
    const n = 1 + Math.floor(rand() * 3);
    for (let m = 0; m < n; m++) labels.push(pick(rand, MUTATIONS)(draft, rand));
    const line = draft.version === '' ? `${draft.method} ${draft.target}` : `${draft.method} ${draft.target} ${draft.version}`;
    const head = [line, ...draft.headers.map(([k, v]) => `${k}: ${v}`)];
    const text = head.join(draft.eol) + draft.eol + draft.eol + draft.body;
    cases.push({ label: `#${i} ${labels.join('; ')}`, bytes: Buffer.from(text, 'latin1') });
  }
  return cases;
}
