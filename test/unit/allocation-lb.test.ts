import test from 'ava';
import type { AddressPool, IPAddressPool } from '../../src/allocation/address-pool.ts';
import { buildPools } from '../../src/allocation/address-pool.ts';
import { LbIpAllocator } from '../../src/allocation/lb-ip-allocator.ts';
import type { LbResult } from '../../src/allocation/lb-ip-allocator.ts';
import { isOurLoadBalancer, lbRequestOf } from '../../src/allocation/lb-request.ts';
import type { Service } from '../../src/k8s/types.ts';
import { loaded, pool, service } from '../fixtures/allocation-fixtures.ts';

function pools(...objects: IPAddressPool[]): readonly AddressPool[] {
  return buildPools(objects.map((o) => loaded(o))).pools;
}

/** Requests IPs the way the controller does: specific IPs when asked for, else automatic. */
function request(allocator: LbIpAllocator, svc: Service): LbResult {
  const parsed = lbRequestOf(svc);
  if (!parsed.ok) return { ok: false, reason: 'EW_LB_REQUEST_INVALID', message: parsed.message };
  const { ips, pool: wanted } = parsed.request;
  return ips !== undefined ? allocator.assign(svc, ips.addresses, wanted?.value) : allocator.allocate(svc);
}

function summary(result: LbResult): string {
  return result.ok ? `${result.pool}:${result.ips.join(',')}` : result.reason;
}

interface Case {
  readonly name: string;
  readonly pools: readonly AddressPool[];
  /** Services requested in order; the expected outcome of each. */
  readonly steps: readonly [Service, string][];
}

const twoPools = pools(pool('a', ['10.0.0.1-10.0.0.2']), pool('b', ['10.0.1.0/30']), pool('manual', ['10.0.9.0/24'], { autoAssign: false }));

const cases: Case[] = [
  {
    name: 'lowest free address, pools in name order, then the next pool',
    pools: twoPools,
    steps: [
      [service('s1'), 'a:10.0.0.1'],
      [service('s2'), 'a:10.0.0.2'],
      [service('s3'), 'b:10.0.1.0'],
    ],
  },
  {
    name: 'exhaustion of every eligible pool leaves the Service pending',
    pools: pools(pool('tiny', ['10.0.0.1/32']), pool('manual', ['10.0.9.0/24'], { autoAssign: false })),
    steps: [
      [service('s1'), 'tiny:10.0.0.1'],
      [service('s2'), 'EW_LB_POOL_EXHAUSTED'],
    ],
  },
  {
    name: 'avoidBuggyIPs skips .0 and .255',
    pools: pools(pool('p', ['10.0.0.255-10.0.1.1'], { avoidBuggyIPs: true })),
    steps: [
      [service('s1'), 'p:10.0.1.1'],
      [service('s2'), 'EW_LB_POOL_EXHAUSTED'],
      [service('s3', { spec: { loadBalancerIP: '10.0.1.0' } }), 'EW_LB_IP_NOT_IN_POOL'],
    ],
  },
  {
    name: 'the pool annotation picks a pool, also one without autoAssign; the alias prefix works; metallb.io/ wins',
    pools: twoPools,
    steps: [
      [service('s1', { annotations: { 'metallb.io/address-pool': 'manual' } }), 'manual:10.0.9.0'],
      [service('s2', { annotations: { 'metallb.universe.tf/address-pool': 'b' } }), 'b:10.0.1.0'],
      [service('s3', { annotations: { 'metallb.io/address-pool': 'b', 'metallb.universe.tf/address-pool': 'manual' } }), 'b:10.0.1.1'],
      [service('s4', { annotations: { 'metallb.io/address-pool': 'nope' } }), 'EW_LB_POOL_UNKNOWN'],
    ],
  },
  {
    name: 'autoAssign false pools are never chosen without a request',
    pools: pools(pool('manual', ['10.0.9.0/24'], { autoAssign: false })),
    steps: [
      [service('s1'), 'EW_LB_NO_POOL'],
      [service('s2', { spec: { loadBalancerIP: '10.0.9.7' } }), 'manual:10.0.9.7'],
    ],
  },
  {
    name: 'requested IPs: annotation, deprecated field, alias, precedence, outside every pool, taken',
    pools: twoPools,
    steps: [
      [service('s1', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.1.2' } }), 'b:10.0.1.2'],
      [service('s2', { spec: { loadBalancerIP: '10.0.0.2' } }), 'a:10.0.0.2'],
      [service('s3', { annotations: { 'metallb.universe.tf/loadBalancerIPs': '10.0.9.9' } }), 'manual:10.0.9.9'],
      [service('s4', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.9.4', 'metallb.universe.tf/loadBalancerIPs': '10.0.9.5' } }), 'manual:10.0.9.4'],
      [service('s5', { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1' } }), 'EW_LB_IP_NOT_IN_POOL'],
      [service('s6', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.1.2' } }), 'EW_LB_IP_TAKEN'],
      [service('s7', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.1.3', 'metallb.io/address-pool': 'a' } }), 'EW_LB_IP_NOT_IN_POOL'],
      [service('s8', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.1.3' }, spec: { loadBalancerIP: '10.0.1.3' } }), 'EW_LB_REQUEST_INVALID'],
      [service('s9', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.1.1,10.0.1.3' } }), 'EW_LB_REQUEST_INVALID'],
      [service('s10', { annotations: { 'metallb.io/loadBalancerIPs': 'ten' } }), 'EW_LB_REQUEST_INVALID'],
      [service('s11'), 'a:10.0.0.1'],
    ],
  },
  {
    name: 'IPv6 and dual-stack come from one pool holding both families',
    pools: pools(pool('v4only', ['10.0.0.0/30']), pool('v6', ['fd00::10-fd00::11']), pool('dual', ['10.1.0.0/30', 'fd01::/126'])),
    steps: [
      [service('s1', { spec: { ipFamilies: ['IPv6'] } }), 'dual:fd01::'],
      [service('s2', { spec: { ipFamilies: ['IPv4', 'IPv6'] } }), 'dual:10.1.0.0,fd01::1'],
      [service('s3', { annotations: { 'metallb.io/loadBalancerIPs': '10.1.0.3,fd01::3' } }), 'dual:10.1.0.3,fd01::3'],
      [service('s4', { annotations: { 'metallb.io/loadBalancerIPs': 'fd00::11' } }), 'v6:fd00::11'],
      [service('s5', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.1,fd00::10' } }), 'EW_LB_REQUEST_INVALID'],
    ],
  },
  {
    name: 'sharing: same key and disjoint ports share; the shared IP is the lowest usable',
    pools: twoPools,
    steps: [
      [service('dns-tcp', { annotations: { 'metallb.io/allow-shared-ip': 'dns' }, ports: [{ port: 53, protocol: 'TCP' }] }), 'a:10.0.0.1'],
      [service('dns-udp', { annotations: { 'metallb.io/allow-shared-ip': 'dns' }, ports: [{ port: 53, protocol: 'UDP' }] }), 'a:10.0.0.1'],
      [service('other'), 'a:10.0.0.2'],
    ],
  },
  {
    name: 'sharing: refused on port overlap, key mismatch, no key, Local with different selectors; same selectors or another protocol share',
    pools: twoPools,
    steps: [
      [service('web', { annotations: { 'metallb.io/allow-shared-ip': 'k' }, spec: { loadBalancerIP: '10.0.1.1' } }), 'b:10.0.1.1'],
      [service('web2', { annotations: { 'metallb.io/allow-shared-ip': 'k' }, spec: { loadBalancerIP: '10.0.1.1' } }), 'EW_LB_SHARING_REFUSED'],
      [
        service('web3', { annotations: { 'metallb.io/allow-shared-ip': 'other' }, ports: [{ port: 81 }], spec: { loadBalancerIP: '10.0.1.1' } }),
        'EW_LB_SHARING_REFUSED',
      ],
      [service('web4', { ports: [{ port: 82 }], spec: { loadBalancerIP: '10.0.1.1' } }), 'EW_LB_IP_TAKEN'],
      [
        service('web5', {
          annotations: { 'metallb.io/allow-shared-ip': 'k' },
          ports: [{ port: 83 }],
          spec: { loadBalancerIP: '10.0.1.1', externalTrafficPolicy: 'Local' },
        }),
        'EW_LB_SHARING_REFUSED',
      ],
      [
        service('web6', {
          annotations: { 'metallb.universe.tf/allow-shared-ip': 'k' },
          ports: [{ port: 84 }],
          spec: { loadBalancerIP: '10.0.1.1', externalTrafficPolicy: 'Local', selector: { app: 'web' } },
        }),
        'b:10.0.1.1',
      ],
      [
        service('web7', { annotations: { 'metallb.io/allow-shared-ip': 'k' }, ports: [{ port: 80, protocol: 'UDP' }], spec: { loadBalancerIP: '10.0.1.1' } }),
        'EW_LB_SHARING_REFUSED',
      ],
      [
        service('web8', {
          annotations: { 'metallb.io/allow-shared-ip': 'k' },
          ports: [{ port: 80, protocol: 'UDP' }],
          spec: { loadBalancerIP: '10.0.1.1', selector: { app: 'web' } },
        }),
        'b:10.0.1.1',
      ],
    ],
  },
];

for (const c of cases) {
  test(`LB: ${c.name}`, (t) => {
    const allocator = new LbIpAllocator(c.pools);
    const got = c.steps.map(([svc]) => `${svc.metadata.name} ${summary(request(allocator, svc))}`);
    t.deepEqual(
      got,
      c.steps.map(([svc, expected]) => `${svc.metadata.name} ${expected}`),
    );
  });
}

test('LB: refusal messages name the rule that failed', (t) => {
  const allocator = new LbIpAllocator(twoPools);
  const key = { 'metallb.io/allow-shared-ip': 'k' };
  request(allocator, service('a', { annotations: key, spec: { loadBalancerIP: '10.0.1.1' } }));
  const cases: [Service, RegExp][] = [
    [service('ports', { annotations: key, spec: { loadBalancerIP: '10.0.1.1' } }), /port 80\/TCP is already used on 10\.0\.1\.1 by Service default\/a/],
    [
      service('keys', { annotations: { 'metallb.io/allow-shared-ip': 'x' }, ports: [{ port: 1 }], spec: { loadBalancerIP: '10.0.1.1' } }),
      /key "k", but this Service has "x"/,
    ],
    [service('nokey', { ports: [{ port: 1 }], spec: { loadBalancerIP: '10.0.1.1' } }), /allow-shared-ip.*this Service has none/],
    [
      service('local', { annotations: key, ports: [{ port: 1 }], spec: { loadBalancerIP: '10.0.1.1', externalTrafficPolicy: 'Local' } }),
      /externalTrafficPolicy: Cluster or have identical selectors/,
    ],
    [service('outside', { spec: { loadBalancerIP: '192.0.2.1' } }), /192\.0\.2\.1 is not in any address pool \("a", "b", "manual"\)/],
  ];
  for (const [svc, pattern] of cases) {
    const result = request(allocator, svc);
    t.false(result.ok, svc.metadata.name);
    if (!result.ok) t.regex(result.message, pattern, svc.metadata.name);
  }
});

test('LB: release is idempotent and frees the address for reuse, lowest first', (t) => {
  const allocator = new LbIpAllocator(pools(pool('p', ['10.0.0.1-10.0.0.3'])));
  const names = ['s1', 's2', 's3'];
  for (const n of names) t.true(allocator.allocate(service(n)).ok);
  t.is(summary(allocator.allocate(service('s4'))), 'EW_LB_POOL_EXHAUSTED');
  allocator.release('default/s2');
  allocator.release('default/s2');
  allocator.release('default/never');
  t.is(allocator.holding('default/s2'), undefined);
  t.is(summary(allocator.allocate(service('s4'))), 'p:10.0.0.2');
  allocator.release('default/s1');
  allocator.release('default/s3');
  t.is(summary(allocator.allocate(service('s5'))), 'p:10.0.0.1');
  t.is(summary(allocator.allocate(service('s6'))), 'p:10.0.0.3');
});

test('LB: a shared IP stays taken until its last Service releases it', (t) => {
  const allocator = new LbIpAllocator(pools(pool('p', ['10.0.0.1/32'])));
  const key = { 'metallb.io/allow-shared-ip': 'k' };
  t.is(summary(allocator.allocate(service('a', { annotations: key, ports: [{ port: 1 }] }))), 'p:10.0.0.1');
  t.is(summary(allocator.allocate(service('b', { annotations: key, ports: [{ port: 2 }] }))), 'p:10.0.0.1');
  allocator.release('default/a');
  t.is(summary(allocator.allocate(service('c'))), 'EW_LB_POOL_EXHAUSTED');
  allocator.release('default/b');
  t.is(summary(allocator.allocate(service('c'))), 'p:10.0.0.1');
});

test('LB: allocate keeps what a Service already holds; assign moves it and frees the old IP', (t) => {
  const allocator = new LbIpAllocator(pools(pool('p', ['10.0.0.1-10.0.0.3'])));
  const svc = service('s');
  t.is(summary(allocator.allocate(svc)), 'p:10.0.0.1');
  t.is(summary(allocator.allocate(svc)), 'p:10.0.0.1');
  t.is(summary(allocator.assign(svc, ['10.0.0.3'])), 'p:10.0.0.3');
  t.is(summary(allocator.allocate(service('t'))), 'p:10.0.0.1');
  // A failed assign leaves the previous IP in place.
  t.is(summary(allocator.assign(svc, ['10.0.0.1'])), 'EW_LB_IP_TAKEN');
  t.deepEqual(allocator.holding('default/s'), { pool: 'p', ips: ['10.0.0.3'] });
});

const classes: [Partial<Service['spec']>, boolean][] = [
  [{}, true],
  [{ loadBalancerClass: 'edgeway.io/lb' }, true],
  [{ loadBalancerClass: 'service.k8s.aws/nlb' }, false],
  [{ type: 'NodePort' }, false],
];
for (const [spec, ours] of classes) {
  test(`LB: loadBalancerClass ${JSON.stringify(spec)} is ${ours ? '' : 'not '}ours`, (t) => {
    t.is(isOurLoadBalancer(service('s', { spec })), ours);
  });
}
