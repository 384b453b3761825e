/**
 * A LoadBalancer IP that cannot be had is explained in MetalLB's words (its controller's AllocationFailed errors),
 * beside edgeway's own sentence; an allocated Service carries metallb.io/ip-allocated-from-pool. Table over the
 * allocator, then through a compiled snapshot's status view.
 */
import test from 'ava';
import type { AddressPool, IPAddressPool } from '../../src/allocation/address-pool.ts';
import { buildPools } from '../../src/allocation/address-pool.ts';
import { LbIpAllocator } from '../../src/allocation/lb-ip-allocator.ts';
import { lbRequestOf } from '../../src/allocation/lb-request.ts';
import type { Service } from '../../src/k8s/types.ts';
import { loaded, pool, service } from '../fixtures/allocation-fixtures.ts';

function pools(...objects: IPAddressPool[]): readonly AddressPool[] {
  return buildPools(objects.map((o) => loaded(o))).pools;
}

/** The MetalLB sentence for the last Service of `services`, requested after the others. */
function lastRefusal(available: readonly AddressPool[], services: readonly Service[]): string | undefined {
  const allocator = new LbIpAllocator(available);
  let last: string | undefined;
  for (const svc of services) {
    const parsed = lbRequestOf(svc);
    if (!parsed.ok) {
      last = parsed.metallb;
      continue;
    }
    const { ips, pool: wanted } = parsed.request;
    const result = ips !== undefined ? allocator.assign(svc, ips.addresses, wanted?.value) : allocator.allocate(svc);
    last = result.ok ? undefined : result.metallb;
  }
  return last;
}

const one = pools(pool('one', ['10.0.0.1/32']));
const shared = (name: string, key: string | undefined, port = 80) =>
  service(name, {
    annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.1', ...(key === undefined ? {} : { 'metallb.io/allow-shared-ip': key }) },
    ports: [{ port, protocol: 'TCP' }],
  });

const table: readonly [string, readonly AddressPool[], readonly Service[], string][] = [
  ['exhausted, automatic', one, [service('a'), service('b')], 'no available IPs'],
  [
    'exhausted, in the requested pool',
    one,
    [service('a'), service('b', { annotations: { 'metallb.io/address-pool': 'one' } })],
    'no available IPs in pool "one"',
  ],
  ['no autoAssign pool', pools(pool('manual', ['10.0.0.0/24'], { autoAssign: false })), [service('a')], 'no available IPs'],
  ['unknown pool', one, [service('a', { annotations: { 'metallb.io/address-pool': 'gold' } })], 'unknown pool "gold"'],
  ['address outside every pool', one, [service('a', { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.7' } })], '"192.0.2.7" is not allowed in config'],
  [
    'address of another pool than the one asked for',
    pools(pool('one', ['10.0.0.1/32']), pool('two', ['10.0.1.0/24'])),
    [service('a', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.1.5', 'metallb.io/address-pool': 'one' } })],
    'requested loadBalancer IP(s) ["10.0.1.5"] is not compatible with requested address pool one',
  ],
  [
    'both the annotation and spec.loadBalancerIP',
    one,
    [service('a', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.1' }, spec: { loadBalancerIP: '10.0.0.1' } })],
    'service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
  ],
  [
    'address in use, no sharing key',
    one,
    [shared('a', undefined), shared('b', undefined, 81)],
    `can't change sharing key for "default/b", address also in use by default/a`,
  ],
  ['sharing keys differ', one, [shared('a', 'x'), shared('b', 'y', 81)], `can't change sharing key for "default/b", address also in use by default/a`],
  ['shared address, same port', one, [shared('a', 'x'), shared('b', 'x')], 'port TCP/80 is already in use on "10.0.0.1"'],
];

for (const [name, available, services, expected] of table) {
  test(`MetalLB's words: ${name}`, (t) => {
    t.is(lastRefusal(available, services), expected);
  });
}

test("status: the pending condition leads with MetalLB's AllocationFailed sentence; an allocated Service names its pool", async (t) => {
  const { startEdgeway } = await import('../helpers/edgeway.ts');
  const { docs } = await import('../helpers/manifests.ts');
  const lbService = (name: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {type: LoadBalancer, selector: {app: ${name}}, ports: [{port: 80}]}
`;
  const gw = await startEdgeway(
    t,
    docs(
      `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: tiny, namespace: metallb-system}
spec: {addresses: [127.241.0.1/32]}
`,
      lbService('a'),
      lbService('b'),
    ),
  );
  const get = async (name: string) =>
    (await (await fetch(`${gw.adminUrl}/api/v1/namespaces/default/services/${name}`)).json()) as Service & {
      status: { conditions: { type: string; message: string }[] };
    };
  const [a, b] = [await get('a'), await get('b')];
  const [allocated, pending] = a.status.conditions.some((c) => c.message.includes('from pool')) ? [a, b] : [b, a];
  t.is(allocated.metadata.annotations?.['metallb.io/ip-allocated-from-pool'], 'tiny');
  t.is(pending.metadata.annotations?.['metallb.io/ip-allocated-from-pool'], undefined);
  const condition = pending.status.conditions.find((c) => c.type === 'edgeway.io/LoadBalancerIPAssigned');
  t.regex(condition?.message ?? '', new RegExp(`^Failed to allocate IP for "default/${pending.metadata.name}": no available IPs; `));
});

test('L2Advertisement and BGPAdvertisement are accepted with a warning that edgeway announces nothing, not as unknown kinds', async (t) => {
  const { loadConfigText } = await import('../../src/config/load-config.ts');
  const text = `apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: l2, namespace: metallb-system}
spec: {ipAddressPools: [tiny]}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: bgp, namespace: metallb-system}
`;
  const load = loadConfigText([{ path: 'metallb.yaml', text }]);
  t.deepEqual(
    load.diagnostics.map((d) => [d.severity, d.code, d.object, d.position?.line]),
    [
      ['warning', 'EW_METALLB_NOT_ANNOUNCED', 'L2Advertisement metallb-system/l2', 2],
      ['warning', 'EW_METALLB_NOT_ANNOUNCED', 'BGPAdvertisement metallb-system/bgp', 7],
    ],
  );
  t.is(load.skipped, 0);
});
