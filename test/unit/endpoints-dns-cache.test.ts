/**
 * DnsCache against a real DNS server on loopback: a small UDP server built with dns-packet answers from a table and
 * counts the queries it gets, so caching, shared lookups and negative caching are observed from the wire. Time is an
 * injected clock; nothing sleeps.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { promises as dnsPromises } from 'node:dns';
import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { DnsCache } from '../../src/dataplane/upstream/dns-cache.ts';
import type { DnsCacheOptions } from '../../src/dataplane/upstream/dns-cache.ts';

interface Zone {
  readonly a?: readonly { readonly ip: string; readonly ttl: number }[];
  readonly aaaa?: readonly { readonly ip: string; readonly ttl: number }[];
}

const NXDOMAIN = 3;

const ZONES: Readonly<Record<string, Zone>> = {
  'svc.example': { a: [{ ip: '10.1.0.1', ttl: 30 }] },
  'zero.example': { a: [{ ip: '10.1.0.2', ttl: 0 }] },
  'long.example': { a: [{ ip: '10.1.0.3', ttl: 86_400 }] },
  'two.example': {
    a: [
      { ip: '10.1.0.4', ttl: 60 },
      { ip: '10.1.0.5', ttl: 20 },
    ],
  },
  'v6only.example': { aaaa: [{ ip: 'fd00::7', ttl: 30 }] },
  'a.example': { a: [{ ip: '10.2.0.1', ttl: 60 }] },
  'b.example': { a: [{ ip: '10.2.0.2', ttl: 60 }] },
  'c.example': { a: [{ ip: '10.2.0.3', ttl: 60 }] },
};

interface DnsServer {
  readonly port: number;
  /** Queries received, by `name/TYPE`. */
  count(name: string, type: 'A' | 'AAAA'): number;
}

async function startDnsServer(t: ExecutionContext): Promise<DnsServer> {
  const counts = new Map<string, number>();
  const socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (question === undefined) return;
    const name = question.name.toLowerCase();
    const key = `${name}/${question.type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const zone = ZONES[name];
    const records = question.type === 'A' ? zone?.a : question.type === 'AAAA' ? zone?.aaaa : undefined;
    const answers: Answer[] = (records ?? []).map((r) => ({
      type: question.type === 'A' ? 'A' : 'AAAA',
      name: question.name,
      ttl: r.ttl,
      data: r.ip,
    }));
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      // Authoritative answer; NXDOMAIN when the name is unknown, otherwise NOERROR (possibly with no answers).
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (zone === undefined ? NXDOMAIN : 0),
      questions: [question],
      answers,
    });
    socket.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const { port } = socket.address() as AddressInfo;
  return { port, count: (name, type) => counts.get(`${name}/${type}`) ?? 0 };
}

interface Fixture {
  readonly server: DnsServer;
  readonly cache: DnsCache;
  /** Moves the injected clock forward. */
  advance(ms: number): void;
}

async function setup(t: ExecutionContext, options: DnsCacheOptions = {}): Promise<Fixture> {
  const server = await startDnsServer(t);
  const resolver = new dnsPromises.Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${server.port}`]);
  t.teardown(() => resolver.cancel());
  let now = 1_000_000;
  const cache = new DnsCache({ resolver, now: () => now, ...options });
  return { server, cache, advance: (ms) => (now += ms) };
}

test('IP literals and localhost are answered without a query', async (t) => {
  const { server, cache } = await setup(t);
  const table: readonly [string, string][] = [
    ['10.9.8.7', '10.9.8.7'],
    ['fd00::1', 'fd00::1'],
    ['[::1]', '::1'],
    ['localhost', '127.0.0.1'],
    ['LOCALHOST.', '127.0.0.1'],
    ['api.localhost', '127.0.0.1'],
  ];
  for (const [host, expected] of table) t.is(await cache.resolve(host), expected, host);
  t.is(server.count('localhost', 'A'), 0);
  t.is(cache.size, 0);
});

test('an answer is cached for its TTL, then looked up again', async (t) => {
  const { server, cache, advance } = await setup(t);
  t.is(await cache.resolve('svc.example'), '10.1.0.1');
  t.is(server.count('svc.example', 'A'), 1);
  advance(29_000);
  t.is(await cache.resolve('svc.example'), '10.1.0.1');
  t.is(await cache.resolve('SVC.Example.'), '10.1.0.1', 'names are case-insensitive and the root dot is optional');
  t.is(server.count('svc.example', 'A'), 1, 'answered from the cache within the 30 s TTL');
  advance(1_001);
  t.is(await cache.resolve('svc.example'), '10.1.0.1');
  t.is(server.count('svc.example', 'A'), 2, 'looked up again once the TTL has passed');
});

test('record TTLs are clamped to [minTtlMs, maxTtlMs]', async (t) => {
  const { server, cache, advance } = await setup(t, { minTtlMs: 1_000, maxTtlMs: 300_000 });
  await cache.resolve('zero.example');
  await cache.resolve('long.example');
  advance(999);
  await cache.resolve('zero.example');
  t.is(server.count('zero.example', 'A'), 1, 'a TTL of 0 is kept for minTtlMs');
  advance(2);
  await cache.resolve('zero.example');
  t.is(server.count('zero.example', 'A'), 2);
  advance(300_000);
  await cache.resolve('long.example');
  t.is(server.count('long.example', 'A'), 2, 'a one-day TTL is kept only for maxTtlMs');
});

test('the smallest TTL of an answer applies, and addresses rotate', async (t) => {
  const { server, cache, advance } = await setup(t);
  const got = [await cache.resolve('two.example'), await cache.resolve('two.example'), await cache.resolve('two.example')];
  t.deepEqual(got, ['10.1.0.4', '10.1.0.5', '10.1.0.4']);
  advance(20_001);
  await cache.resolve('two.example');
  t.is(server.count('two.example', 'A'), 2);
});

test('concurrent lookups of one name share one query', async (t) => {
  const { server, cache } = await setup(t);
  const results = await Promise.all(Array.from({ length: 8 }, () => cache.resolve('svc.example')));
  t.deepEqual(
    results,
    Array.from({ length: 8 }, () => '10.1.0.1'),
  );
  t.is(server.count('svc.example', 'A'), 1);
});

test('a name with only AAAA records resolves to its IPv6 address', async (t) => {
  const { server, cache } = await setup(t);
  t.is(await cache.resolve('v6only.example'), 'fd00::7');
  t.is(server.count('v6only.example', 'A'), 1);
  t.is(server.count('v6only.example', 'AAAA'), 1);
  t.is(await cache.resolve('v6only.example'), 'fd00::7');
  t.is(server.count('v6only.example', 'AAAA'), 1);
});

test('failures reject with EDGEWAY_DNS_FAILED and are remembered briefly', async (t) => {
  const { server, cache, advance } = await setup(t, { negativeTtlMs: 1_000 });
  const first = await t.throwsAsync(cache.resolve('missing.example'));
  t.is((first as Error & { code?: string }).code, 'EDGEWAY_DNS_FAILED');
  t.regex(first?.message ?? '', /missing\.example/);
  t.is(server.count('missing.example', 'A'), 1);
  t.is(server.count('missing.example', 'AAAA'), 0, 'NXDOMAIN is not retried as AAAA');

  // Concurrent callers during and after the failure: still one query.
  const again = await Promise.allSettled([cache.resolve('missing.example'), cache.resolve('missing.example')]);
  t.deepEqual(
    again.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  t.is(server.count('missing.example', 'A'), 1, 'the failure is served from the cache');

  advance(1_001);
  await t.throwsAsync(cache.resolve('missing.example'), { code: 'EDGEWAY_DNS_FAILED' });
  t.is(server.count('missing.example', 'A'), 2, 'asked again once the negative TTL has passed');
});

test('entries are bounded, least recently used first', async (t) => {
  const { server, cache } = await setup(t, { maxEntries: 2 });
  await cache.resolve('a.example');
  await cache.resolve('b.example');
  await cache.resolve('a.example'); // a is now the most recent
  await cache.resolve('c.example'); // evicts b
  t.is(cache.size, 2);
  await cache.resolve('a.example');
  t.is(server.count('a.example', 'A'), 1, 'a stayed cached');
  await cache.resolve('b.example');
  t.is(server.count('b.example', 'A'), 2, 'b was evicted and looked up again');
});
