import test from 'ava';
import { ClusterIpAllocator, clusterIpStaticBandSize } from '../../src/allocation/cluster-ip-allocator.ts';
import { NodePortAllocator, portStaticBandSize } from '../../src/allocation/port-allocator.ts';
import type { Protocol } from '../../src/k8s/types.ts';

type Step = readonly ['assign' | 'allocate', string, Protocol, number | undefined, string] | readonly ['release', string, Protocol, number, ''];

function runPorts(allocator: NodePortAllocator, steps: readonly Step[]): string[] {
  return steps.map(([op, owner, protocol, port]) => {
    if (op === 'release') {
      allocator.release(owner, protocol, port);
      return '';
    }
    const result = op === 'assign' ? allocator.assign(owner, protocol, port ?? 0) : allocator.allocate(owner, protocol, port);
    return result.ok ? String(result.port) : result.reason;
  });
}

const portCases: [string, { min: number; max: number } | undefined, Step[]][] = [
  [
    'explicit ports honoured when free and in range, per protocol',
    undefined,
    [
      ['assign', 'a', 'TCP', 30080, '30080'],
      ['assign', 'a', 'TCP', 30080, '30080'],
      ['assign', 'b', 'TCP', 30080, 'EW_NODEPORT_TAKEN'],
      ['assign', 'b', 'UDP', 30080, '30080'],
      ['assign', 'b', 'TCP', 29999, 'EW_NODEPORT_OUT_OF_RANGE'],
      ['assign', 'b', 'TCP', 32768, 'EW_NODEPORT_OUT_OF_RANGE'],
      ['assign', 'b', 'TCP', 32767, '32767'],
    ],
  ],
  [
    'automatic ports start above the static band (86 ports for the default range), lowest first',
    undefined,
    [
      ['allocate', 'a', 'TCP', undefined, '30086'],
      ['allocate', 'b', 'TCP', undefined, '30087'],
      ['allocate', 'c', 'UDP', undefined, '30086'],
      ['release', 'a', 'TCP', 30086, ''],
      ['allocate', 'd', 'TCP', undefined, '30086'],
      ['allocate', 'e', 'TCP', 30087, '30088'],
      ['allocate', 'f', 'TCP', 30050, '30050'],
    ],
  ],
  [
    'a small range fills the upper band, then the static band, then is exhausted; release allows reuse',
    { min: 100, max: 117 },
    [
      ['assign', 'x', 'TCP', 100, '100'],
      ['allocate', 'a', 'TCP', undefined, '116'],
      ['allocate', 'b', 'TCP', undefined, '117'],
      ['allocate', 'c', 'TCP', undefined, '101'],
      ...Array.from({ length: 14 }, (_, i): Step => ['allocate', `n${i}`, 'TCP', undefined, String(102 + i)]),
      ['allocate', 'z', 'TCP', undefined, 'EW_NODEPORT_EXHAUSTED'],
      ['release', 'b', 'TCP', 117, ''],
      ['release', 'nobody', 'TCP', 116, ''],
      ['allocate', 'z', 'TCP', undefined, '117'],
    ],
  ],
];

for (const [name, range, steps] of portCases) {
  test(`NodePort: ${name}`, (t) => {
    const allocator = new NodePortAllocator(range);
    t.deepEqual(
      runPorts(allocator, steps),
      steps.map((s) => s[4]),
    );
  });
}

test('NodePort: messages are the API server kind', (t) => {
  const allocator = new NodePortAllocator();
  allocator.assign('default/a', 'TCP', 30080);
  const taken = allocator.assign('default/b', 'TCP', 30080);
  const range = allocator.assign('default/b', 'TCP', 80);
  t.false(taken.ok);
  t.false(range.ok);
  if (!taken.ok) t.regex(taken.message, /provided port is already allocated/);
  if (!range.ok) t.regex(range.message, /provided port is not in the valid range\. The range of valid ports is 30000-32767/);
});

test('NodePort: releaseAll frees every port of an owner and is idempotent', (t) => {
  const allocator = new NodePortAllocator();
  allocator.assign('a', 'TCP', 30001);
  allocator.assign('a', 'UDP', 30001);
  t.deepEqual(allocator.heldBy('a'), ['30001/TCP', '30001/UDP']);
  allocator.releaseAll('a');
  allocator.releaseAll('a');
  t.deepEqual(allocator.heldBy('a'), []);
  t.is(allocator.ownerOf('TCP', 30001), undefined);
});

const bands: [number, number, number][] = [
  [30000, 32767, 86],
  [30000, 30009, 0],
  [30000, 30015, 16],
  [1, 65535, 128],
];
for (const [min, max, band] of bands) {
  test(`NodePort static band of ${min}-${max} is ${band}`, (t) => t.is(portStaticBandSize({ min, max }), band));
}

const ipBands: [bigint, bigint][] = [
  [256n, 16n],
  [4096n, 256n],
  [65536n, 256n],
  [8n, 0n],
];
for (const [size, band] of ipBands) {
  test(`ClusterIP static band for a CIDR of ${size} addresses is ${band}`, (t) => t.is(clusterIpStaticBandSize(size), band));
}

test('ClusterIP: explicit, taken, out of range, reserved first address, network and broadcast', (t) => {
  const allocator = new ClusterIpAllocator('10.96.0.0/24');
  const summary = (r: ReturnType<ClusterIpAllocator['assign']>): string => (r.ok ? r.ip : r.reason);
  const steps: [string, string, string][] = [
    ['a', '10.96.0.10', '10.96.0.10'],
    ['a', '10.96.0.10', '10.96.0.10'],
    ['b', '10.96.0.10', 'EW_CLUSTERIP_TAKEN'],
    ['b', '10.97.0.10', 'EW_CLUSTERIP_OUT_OF_RANGE'],
    ['b', '10.96.0.0', 'EW_CLUSTERIP_OUT_OF_RANGE'],
    ['b', '10.96.0.255', 'EW_CLUSTERIP_OUT_OF_RANGE'],
    ['b', '10.96.0.1', 'EW_CLUSTERIP_OUT_OF_RANGE'],
    ['b', 'fd00::1', 'EW_CLUSTERIP_OUT_OF_RANGE'],
    ['b', '10.96.0.254', '10.96.0.254'],
  ];
  t.deepEqual(
    steps.map(([owner, ip]) => summary(allocator.assign(owner, ip))),
    steps.map(([, , expected]) => expected),
  );
  const taken = allocator.assign('c', '10.96.0.10');
  if (!taken.ok) t.regex(taken.message, /provided IP is already allocated/);
  const outside = allocator.assign('c', '10.97.0.10');
  if (!outside.ok) t.regex(outside.message, /not in the valid range\. The range of valid IPs is 10\.96\.0\.0\/24/);
});

test('ClusterIP: automatic allocation uses the upper band first, then the static band, then is exhausted', (t) => {
  // /27: 30 usable (.1-.30), .1 reserved, static band 16 (.1-.16), upper band .17-.30.
  const allocator = new ClusterIpAllocator('10.96.0.0/27');
  const got: string[] = [];
  for (let i = 0; i < 30; i++) {
    const r = allocator.allocate(`s${i}`);
    got.push(r.ok ? r.ip : r.reason);
  }
  const expected = [
    ...Array.from({ length: 14 }, (_, i) => `10.96.0.${17 + i}`),
    ...Array.from({ length: 15 }, (_, i) => `10.96.0.${2 + i}`),
    'EW_CLUSTERIP_EXHAUSTED',
  ];
  t.deepEqual(got, expected);
  allocator.release('s3');
  allocator.release('s3');
  const again = allocator.allocate('late');
  t.deepEqual(again, { ok: true, ip: '10.96.0.20' });
  t.deepEqual(allocator.allocate('late'), { ok: true, ip: '10.96.0.20' }, 'an owner keeps its address');
});

test('ClusterIP: IPv6 CIDR uses the last address too', (t) => {
  const allocator = new ClusterIpAllocator('fd00::/124');
  t.is(allocator.family, 'IPv6');
  t.deepEqual(allocator.assign('a', 'fd00::f'), { ok: true, ip: 'fd00::f' });
  t.false(allocator.assign('b', 'fd00::').ok);
  t.deepEqual(allocator.allocate('c'), { ok: true, ip: 'fd00::2' }, 'a /124 is all static band: reserved ::1 is skipped');
  const tiny = new ClusterIpAllocator('10.0.0.0/29');
  t.deepEqual(tiny.allocate('a'), { ok: true, ip: '10.0.0.2' }, 'under 16 addresses there is no static band');
});

test('ClusterIP: a malformed CIDR is a TypeError', (t) => {
  t.throws(() => new ClusterIpAllocator('10.96.0.0/40'), { instanceOf: TypeError });
});
