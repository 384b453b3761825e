/**
 * IPAddressPool serviceAllocation, as MetalLB documents it: a pool serves only the Services its namespaces,
 * namespaceSelectors and serviceSelectors select; among the pools that may serve a Service, prioritised ones come
 * first (lower number first), those without a priority last, ties in name order; asking for a pool (or one of its
 * addresses) that does not serve the Service keeps it pending. Table over the allocator.
 */
import test from 'ava';
import type { AddressPool, IPAddressPool } from '../../src/allocation/address-pool.ts';
import { buildPools } from '../../src/allocation/address-pool.ts';
import { LbIpAllocator } from '../../src/allocation/lb-ip-allocator.ts';
import { lbRequestOf } from '../../src/allocation/lb-request.ts';
import type { Service } from '../../src/k8s/types.ts';
import { loaded, pool, service } from '../fixtures/allocation-fixtures.ts';

const NAMESPACE_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = { east: { zone: 'east' }, west: { zone: 'west' } };

function outcome(pools: readonly IPAddressPool[], svc: Service): string {
  const built = buildPools(pools.map((p) => loaded(p)));
  const allocator = new LbIpAllocator(built.pools as AddressPool[], (ns) => NAMESPACE_LABELS[ns]);
  const parsed = lbRequestOf(svc);
  if (!parsed.ok) return parsed.message;
  const { ips, pool: wanted } = parsed.request;
  const result = ips !== undefined ? allocator.assign(svc, ips.addresses, wanted?.value) : allocator.allocate(svc);
  return result.ok ? `${result.pool}:${result.ips.join(',')}` : result.reason;
}

const open = pool('a-open', ['10.0.0.1/32']);
const east = pool('b-east', ['10.0.1.1/32'], { serviceAllocation: { namespaceSelectors: [{ matchLabels: { zone: 'east' } }] } });
const named = pool('c-named', ['10.0.2.1/32'], { serviceAllocation: { namespaces: ['shop'], priority: 20 } });
const gold = pool('d-gold', ['10.0.3.1/32'], {
  serviceAllocation: { priority: 10, serviceSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold'] }] }] },
});
const inNs = (name: string, namespace: string, labels?: Record<string, string>) => {
  const s = service(name, { namespace });
  if (labels !== undefined) s.metadata.labels = labels;
  return s;
};

const table: readonly [string, readonly IPAddressPool[], Service, string][] = [
  ['a pool without serviceAllocation serves everyone', [open], inNs('s', 'west'), 'a-open:10.0.0.1'],
  ['a namespace selected by label may use its pool; without priorities, name order decides', [open, east], inNs('s', 'east'), 'a-open:10.0.0.1'],
  ['a namespace not selected skips the pool', [east, named], inNs('s', 'west'), 'EW_LB_NO_POOL'],
  ['a prioritised pool beats one without priority', [open, named], inNs('s', 'shop'), 'c-named:10.0.2.1'],
  ['lower priority number first', [named, gold], inNs('s', 'shop', { tier: 'gold' }), 'd-gold:10.0.3.1'],
  ['a service selector that does not match skips the pool', [named, gold], inNs('s', 'shop', { tier: 'silver' }), 'c-named:10.0.2.1'],
  [
    'asking by name for a pool that does not serve the Service',
    [open, east],
    service('s', { namespace: 'west', annotations: { 'metallb.io/address-pool': 'b-east' } }),
    'EW_LB_POOL_NOT_ALLOWED',
  ],
  [
    'asking for an address of such a pool',
    [open, east],
    service('s', { namespace: 'west', annotations: { 'metallb.io/loadBalancerIPs': '10.0.1.1' } }),
    'EW_LB_POOL_NOT_ALLOWED',
  ],
  [
    'the same request from a selected namespace',
    [open, east],
    service('s', { namespace: 'east', annotations: { 'metallb.io/loadBalancerIPs': '10.0.1.1' } }),
    'b-east:10.0.1.1',
  ],
];

for (const [name, pools, svc, expected] of table) {
  test(`serviceAllocation: ${name}`, (t) => {
    t.is(outcome(pools, svc), expected);
  });
}

test('serviceAllocation: a malformed rule is reported at its field', (t) => {
  const bad = pool('bad', ['10.0.0.1/32'], { serviceAllocation: { priority: -1, namespaces: 'shop' } });
  const built = buildPools([loaded(bad)]);
  t.deepEqual(
    built.diagnostics.map((d) => d.field),
    ['spec.serviceAllocation.priority', 'spec.serviceAllocation.namespaces'],
  );
});
