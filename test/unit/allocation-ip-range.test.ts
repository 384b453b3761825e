import test from 'ava';
import {
  buggyCount,
  canonicalIp,
  formatIp,
  formatRange,
  isBuggyIp,
  parseAddressSpec,
  parseIp,
  rangeAddresses,
  rangeContains,
  rangeSize,
} from '../../src/net/ip-range.ts';
import { buildPools, DEFAULT_POOL, poolContains } from '../../src/allocation/address-pool.ts';
import { poolSize } from '../../src/allocation/pool-usage.ts';
import { loaded, pool } from '../fixtures/allocation-fixtures.ts';

const canonical: [string, string | undefined][] = [
  ['10.0.0.1', '10.0.0.1'],
  [' 192.168.1.255 ', '192.168.1.255'],
  ['256.0.0.1', undefined],
  ['10.0.0', undefined],
  ['010.0.0.1', undefined],
  ['fd00::1', 'fd00::1'],
  ['FD00:0:0:0:0:0:0:0001', 'fd00::1'],
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ['::', '::'],
  ['::ffff:10.1.2.3', '::ffff:a01:203'],
  ['1::2::3', undefined],
  ['fe80::1%eth0', undefined],
  ['hello', undefined],
];
for (const [input, expected] of canonical) {
  test(`canonical IP of ${JSON.stringify(input)}`, (t) => t.is(canonicalIp(input), expected));
}

const specs: [string, string | undefined, bigint | undefined][] = [
  ['192.168.10.0/24', '192.168.10.0/24', 256n],
  ['192.168.10.7/24', '192.168.10.0/24', 256n],
  ['10.0.0.5/32', '10.0.0.5/32', 1n],
  ['192.168.10.5-192.168.10.9', '192.168.10.5-192.168.10.9', 5n],
  ['192.168.10.5 - 192.168.10.5', '192.168.10.5-192.168.10.5', 1n],
  ['fd00::/120', 'fd00::/120', 256n],
  ['fd00::/64', 'fd00::/64', 2n ** 64n],
  ['fd00::a-fd00::f', 'fd00::a-fd00::f', 6n],
  ['192.168.10.9-192.168.10.5', undefined, undefined],
  ['10.0.0.1-fd00::1', undefined, undefined],
  ['10.0.0.0/33', undefined, undefined],
  ['10.0.0.0', undefined, undefined],
  ['nope/24', undefined, undefined],
];
for (const [input, formatted, size] of specs) {
  test(`address spec ${JSON.stringify(input)}`, (t) => {
    const result = parseAddressSpec(input);
    if (formatted === undefined) {
      t.false(result.ok);
      if (!result.ok) t.true(result.message.includes(input.trim()));
      return;
    }
    t.true(result.ok);
    if (!result.ok) return;
    t.is(formatRange(result.value), formatted);
    t.is(rangeSize(result.value), size ?? -1n);
  });
}

test('ranges iterate lowest first and avoidBuggyIPs skips .0 and .255', (t) => {
  const spec = parseAddressSpec('10.0.0.254-10.0.1.1');
  if (!spec.ok) return t.fail();
  const all = [...rangeAddresses(spec.value)].map((value) => formatIp({ family: 'IPv4', value }));
  t.deepEqual(all, ['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1']);
  t.is([...rangeAddresses(spec.value, true)].length, 2);
  t.is(buggyCount(spec.value), 2n);
  t.true(isBuggyIp('IPv4', 0x0a000100n));
  t.false(isBuggyIp('IPv6', 0n));
});

test('buggy count of a /16 is two per /24', (t) => {
  const spec = parseAddressSpec('127.240.0.0/16');
  if (!spec.ok) return t.fail();
  t.is(buggyCount(spec.value), 512n);
  t.is(poolSize(DEFAULT_POOL), 65536n - 512n);
});

test('contains is family-aware', (t) => {
  const spec = parseAddressSpec('10.0.0.0/8');
  const ip4 = parseIp('10.1.2.3');
  const ip6 = parseIp('::a01:203');
  if (!spec.ok || ip4 === undefined || ip6 === undefined) return t.fail();
  t.true(rangeContains(spec.value, ip4));
  t.false(rangeContains(spec.value, ip6));
});

test('no pool configured gives the loopback default pool', (t) => {
  const { pools, diagnostics } = buildPools([], []);
  t.deepEqual(pools, [DEFAULT_POOL]);
  t.deepEqual(diagnostics, []);
  const first = parseIp('127.240.0.0');
  if (first === undefined) return t.fail();
  t.false(poolContains(DEFAULT_POOL, first), 'avoidBuggyIPs on the default pool');
});

test('pools from IPAddressPool objects and settings, sorted by name', (t) => {
  const { pools, diagnostics } = buildPools(
    [loaded(pool('zeta', ['10.0.0.0/30', 'fd00::/126'], { autoAssign: false })), loaded(pool('alpha', ['10.0.1.1-10.0.1.3'], { avoidBuggyIPs: true }))],
    [{ name: 'mid', addresses: ['10.0.2.0/31'] }],
  );
  t.deepEqual(diagnostics, []);
  t.deepEqual(
    pools.map((p) => [p.name, p.autoAssign, p.avoidBuggyIPs, p.ranges.length]),
    [
      ['alpha', true, true, 1],
      ['mid', true, false, 1],
      ['zeta', false, false, 2],
    ],
  );
});

test('a bad pool is left out with a diagnostic naming file, object and field; the others stay', (t) => {
  const { pools, diagnostics } = buildPools([
    loaded(pool('good', ['10.0.0.0/24']), 10),
    loaded(pool('typo', ['10.0.1.0/24', '10.0.2.300/24']), 20),
    loaded(pool('overlap', ['10.0.0.128/25']), 30),
    loaded(pool('good', ['10.9.0.0/24']), 40),
  ]);
  t.deepEqual(
    pools.map((p) => p.name),
    ['good'],
  );
  t.deepEqual(
    diagnostics.map((d) => [d.code, d.object, d.field, d.position?.line]),
    [
      ['EW_POOL_INVALID', 'IPAddressPool metallb-system/typo', 'spec.addresses[1]', 23],
      ['EW_POOL_INVALID', 'IPAddressPool metallb-system/overlap', 'spec.addresses[0]', 33],
      ['EW_POOL_INVALID', 'IPAddressPool metallb-system/good', 'metadata.name', 42],
    ],
  );
  t.regex(diagnostics[1]?.message ?? '', /overlaps 10\.0\.0\.0\/24 of pool "good"/);
});
