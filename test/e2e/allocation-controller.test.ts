import test from 'ava';
import type { AddressPool } from '../../src/allocation/address-pool.ts';
import { buildPools } from '../../src/allocation/address-pool.ts';
import type { AllocationOptions, AllocationOutcome, ServiceAllocation } from '../../src/allocation/allocate-services.ts';
import { allocateAll, DEFAULT_ALLOCATION_OPTIONS } from '../../src/allocation/allocate-services.ts';
import { EMPTY_ALLOCATION_STATE } from '../../src/allocation/allocation-state.ts';
import type { AllocationState } from '../../src/allocation/allocation-state.ts';
import { poolUsage } from '../../src/allocation/pool-usage.ts';
import { formatDiagnostic } from '../../src/config/diagnostic.ts';
import type { LoadedObject } from '../../src/config/loaded-object.ts';
import type { Service } from '../../src/k8s/types.ts';
import { loaded, pool, service } from '../fixtures/allocation-fixtures.ts';

const smallPool = buildPools([loaded(pool('p', ['10.0.0.1-10.0.0.2']))]).pools;
const defaultPools = buildPools([]).pools;

function run(
  services: Service[],
  pools: readonly AddressPool[] = defaultPools,
  previous: AllocationState = EMPTY_ALLOCATION_STATE,
  options?: AllocationOptions,
): AllocationOutcome {
  return allocateAll(
    services.map((s, i) => loaded(s, 10 * (i + 1))),
    pools,
    previous,
    options,
  );
}

/** What `kubectl get svc` would show: CLUSTER-IP, EXTERNAL-IP, PORT(S). */
function shown(r: ServiceAllocation | undefined): string {
  if (r === undefined) return 'missing';
  if (r.rejected !== null) return `rejected ${r.rejected.reason}`;
  const cluster = r.headless ? 'None' : r.clusterIPs.join(',') || '-';
  const lb = r.loadBalancer;
  const external = lb.kind === 'assigned' ? lb.ips.join(',') : lb.kind === 'pending' ? `<pending ${lb.reason}>` : lb.kind === 'not-ours' ? '<not ours>' : '-';
  const ports = r.nodePorts.map((n) => `${n.port}:${n.nodePort}/${n.protocol}`).join(' ');
  return `${cluster} ${external} ${ports}`.trim();
}

function table(outcome: AllocationOutcome): Record<string, string> {
  return Object.fromEntries([...outcome.results].map(([k, r]) => [k, shown(r)]));
}

test('each Service type gets what it needs', (t) => {
  const outcome = run([
    service('plain', { type: 'ClusterIP' }),
    service('headless', { type: 'ClusterIP', spec: { clusterIP: 'None' } }),
    service('ext', { type: 'ExternalName', spec: { externalName: 'example.com' } }),
    service('np', { type: 'NodePort', ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }),
    service('lb'),
    service('lb-no-np', { spec: { allocateLoadBalancerNodePorts: false }, ports: [{ port: 80 }, { port: 81, nodePort: 31000 }] }),
    service('other-class', { spec: { loadBalancerClass: 'example.com/lb' } }),
    service('fixed', { type: 'ClusterIP', spec: { clusterIP: '127.96.0.10' } }),
  ]);
  t.deepEqual(table(outcome), {
    'default/ext': '- -',
    'default/fixed': '127.96.0.10 -',
    'default/headless': 'None -',
    'default/lb': '127.96.1.1 127.240.0.1 80:30086/TCP',
    'default/lb-no-np': '127.96.1.2 127.240.0.2 81:31000/TCP',
    // 53/TCP would take 30086 like 53/UDP, but lb holds 30086/TCP already.
    'default/np': '127.96.1.3 - 80:30087/TCP 53:30086/UDP 53:30088/TCP',
    'default/other-class': '127.96.1.4 <not ours> 80:30089/TCP',
    'default/plain': '127.96.1.5 -',
  });
  t.deepEqual(outcome.diagnostics, []);
});

test('TCP and UDP ports with one number get one NodePort when it is free for both', (t) => {
  const outcome = run([
    service('dns', {
      type: 'NodePort',
      ports: [
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP' },
        { port: 54, protocol: 'UDP' },
      ],
    }),
  ]);
  t.is(table(outcome)['default/dns'], '127.96.1.1 - 53:30086/UDP 53:30086/TCP 54:30087/UDP');
});

test('running it twice on its own output changes nothing', (t) => {
  const services = [
    service('a', { created: '2024-01-01T00:00:00Z' }),
    service('b', { type: 'NodePort', created: '2024-01-02T00:00:00Z' }),
    service('c', { created: '2024-01-03T00:00:00Z' }),
    service('d', { created: '2024-01-04T00:00:00Z', annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.1' } }),
  ];
  const first = run(services, smallPool);
  const second = run(services, smallPool, first.state);
  t.deepEqual(second.state, first.state);
  t.deepEqual(table(second), table(first));
  t.is(table(first)['default/d'], '127.96.1.4 <pending EW_LB_IP_TAKEN> 80:30089/TCP');
});

test('the outcome does not depend on input order, only on creation time and name', (t) => {
  const services = Array.from({ length: 12 }, (_, i) =>
    service(`s${i}`, { type: i % 3 === 0 ? 'NodePort' : 'LoadBalancer', created: `2024-01-${String(10 + (i % 4)).padStart(2, '0')}T00:00:00Z` }),
  );
  const forward = run(services);
  const backward = run([...services].reverse());
  t.deepEqual(backward.state, forward.state);
  t.is(table(forward)['default/s0'], '127.96.1.1 - 80:30086/TCP', 'oldest, first by name');
});

test('recorded allocations are honoured before new Services, even older-looking ones', (t) => {
  const first = run([service('zeta')], smallPool);
  t.is(table(first)['default/zeta'], '127.96.1.1 10.0.0.1 80:30086/TCP');
  const second = run([service('alpha'), service('zeta')], smallPool, first.state);
  t.is(table(second)['default/zeta'], '127.96.1.1 10.0.0.1 80:30086/TCP');
  t.is(table(second)['default/alpha'], '127.96.1.2 10.0.0.2 80:30087/TCP');
});

test('a deleted Service frees its IP for a pending one on the next run', (t) => {
  const services = [service('a', { created: '1' }), service('b', { created: '2' }), service('c', { created: '3' })];
  const first = run(services, smallPool);
  t.is(table(first)['default/c'], '127.96.1.3 <pending EW_LB_POOL_EXHAUSTED> 80:30088/TCP');
  const pendingDiag = first.diagnostics.find((d) => d.object === 'Service default/c');
  t.is(pendingDiag?.severity, 'warning');
  t.is(pendingDiag?.field, 'spec.type');
  t.is(pendingDiag?.position?.file, 'test.yaml');
  const second = run([services[1] as Service, services[2] as Service], smallPool, first.state);
  t.is(table(second)['default/c'], '127.96.1.3 10.0.0.1 80:30088/TCP');
  t.is(table(second)['default/b'], '127.96.1.2 10.0.0.2 80:30087/TCP');
  t.false('default/a' in second.state.services);
});

test('an allocation that no longer fits the pools is dropped with a diagnostic and redone', (t) => {
  const first = run([service('a'), service('b', { type: 'NodePort' })], smallPool);
  const moved = buildPools([loaded(pool('q', ['10.0.5.0/30']))]).pools;
  const narrow: AllocationOptions = { ...DEFAULT_ALLOCATION_OPTIONS, nodePortRange: { min: 31000, max: 31100 } };
  const second = run([service('a'), service('b', { type: 'NodePort' })], moved, first.state, narrow);
  t.is(table(second)['default/a'], '127.96.1.1 10.0.5.0 80:31016/TCP');
  t.is(table(second)['default/b'], '127.96.1.2 - 80:31017/TCP');
  t.deepEqual(
    second.diagnostics.map((d) => [d.code, d.object, d.field]),
    [
      ['EW_ALLOCATION_DROPPED', 'Service default/a', 'spec.ports[0].nodePort'],
      ['EW_ALLOCATION_DROPPED', 'Service default/a', 'status.loadBalancer'],
      ['EW_ALLOCATION_DROPPED', 'Service default/b', 'spec.ports[0].nodePort'],
    ],
  );
  t.regex(second.diagnostics[1]?.message ?? '', /10\.0\.0\.1 is not in any address pool/);
});

test('a changed request is followed without a diagnostic', (t) => {
  const first = run([service('a')], smallPool);
  const second = run([service('a', { spec: { loadBalancerIP: '10.0.0.2' } })], smallPool, first.state);
  t.is(table(second)['default/a'], '127.96.1.1 10.0.0.2 80:30086/TCP');
  t.deepEqual(second.diagnostics, []);
  const third = run([service('a', { type: 'ClusterIP' })], smallPool, second.state);
  t.deepEqual(third.state.services['default/a'], { clusterIPs: ['127.96.1.1'], nodePorts: [], loadBalancer: null });
});

test('an explicit nodePort conflict rejects only that Service, with the API server message and a position', (t) => {
  const outcome = run([
    service('first', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }], created: '1' }),
    service('second', { type: 'NodePort', ports: [{ port: 81 }, { port: 80, nodePort: 30080 }], created: '2' }),
    service('range', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }], created: '3' }),
    service('after', { type: 'NodePort', created: '4' }),
  ]);
  t.deepEqual(table(outcome), {
    'default/first': '127.96.1.1 - 80:30080/TCP',
    'default/second': 'rejected EW_NODEPORT_TAKEN',
    'default/range': 'rejected EW_NODEPORT_OUT_OF_RANGE',
    'default/after': '127.96.1.2 - 80:30086/TCP',
  });
  t.false('default/second' in outcome.state.services);
  t.deepEqual(outcome.diagnostics.map(formatDiagnostic), [
    'test.yaml:24:3: error EW_NODEPORT_TAKEN: Service default/second: spec.ports[1].nodePort: 30080: provided port is already allocated (to Service default/first, TCP)',
    'test.yaml:34:3: error EW_NODEPORT_OUT_OF_RANGE: Service default/range: spec.ports[0].nodePort: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
  ]);
});

test('ClusterIP explicit, taken, None on a LoadBalancer, and exhaustion', (t) => {
  const options: AllocationOptions = { ...DEFAULT_ALLOCATION_OPTIONS, serviceCIDRs: ['10.96.0.0/29'] };
  const outcome = run(
    [
      service('fixed', { type: 'ClusterIP', spec: { clusterIP: '10.96.0.3' }, created: '1' }),
      service('dup', { type: 'ClusterIP', spec: { clusterIPs: ['10.96.0.3'] }, created: '2' }),
      service('none-lb', { spec: { clusterIP: 'None' }, created: '3' }),
      ...Array.from({ length: 5 }, (_, i) => service(`auto${i}`, { type: 'ClusterIP', created: `4${i}` })),
    ],
    defaultPools,
    EMPTY_ALLOCATION_STATE,
    options,
  );
  t.deepEqual(table(outcome), {
    'default/fixed': '10.96.0.3 -',
    'default/dup': 'rejected EW_CLUSTERIP_TAKEN',
    'default/none-lb': 'rejected EW_FIELD_INVALID',
    'default/auto0': '10.96.0.2 -',
    'default/auto1': '10.96.0.4 -',
    'default/auto2': '10.96.0.5 -',
    'default/auto3': '10.96.0.6 -',
    'default/auto4': 'rejected EW_CLUSTERIP_EXHAUSTED',
  });
});

test('IPv6 and dual-stack Services with a CIDR per family', (t) => {
  const options: AllocationOptions = { ...DEFAULT_ALLOCATION_OPTIONS, serviceCIDRs: ['127.96.0.0/12', 'fd00:96::/112'] };
  const pools = buildPools([loaded(pool('dual', ['127.241.0.0/24', 'fd00:241::/120']))]).pools;
  const outcome = run(
    [
      service('v6', { spec: { ipFamilies: ['IPv6'] }, created: '1' }),
      service('dual', { spec: { ipFamilies: ['IPv4', 'IPv6'] }, created: '2' }),
      service('v4', { created: '3' }),
    ],
    pools,
    EMPTY_ALLOCATION_STATE,
    options,
  );
  t.deepEqual(table(outcome), {
    'default/v6': 'fd00:96::101 fd00:241:: 80:30086/TCP',
    'default/dual': '127.96.1.1,fd00:96::102 127.241.0.0,fd00:241::1 80:30087/TCP',
    'default/v4': '127.96.1.2 127.241.0.1 80:30088/TCP',
  });
  const again = run([service('v6', { spec: { ipFamilies: ['IPv6'] } })], pools, outcome.state);
  t.is(table(again)['default/v6'], 'rejected EW_CLUSTERIP_OUT_OF_RANGE', 'no IPv6 service CIDR with the default options');
});

test('pool usage counts a shared IP once', (t) => {
  const key = { 'metallb.io/allow-shared-ip': 'k' };
  const outcome = run(
    [service('a', { annotations: key, ports: [{ port: 1 }] }), service('b', { annotations: key, ports: [{ port: 2 }] }), service('c')],
    smallPool,
  );
  t.deepEqual(poolUsage(smallPool, outcome.state), [{ pool: 'p', size: 2n, used: 2, free: 0n }]);
  t.deepEqual(poolUsage(defaultPools, EMPTY_ALLOCATION_STATE), [{ pool: 'default', size: 65024n, used: 0, free: 65024n }]);
});

test('inputs are not modified', (t) => {
  const services: LoadedObject<Service>[] = [loaded(service('a'))];
  const before = JSON.stringify(services.map((s) => s.object));
  const previous = run([service('a')]).state;
  const frozen = JSON.stringify(previous);
  allocateAll(services, defaultPools, previous);
  t.is(JSON.stringify(services.map((s) => s.object)), before);
  t.is(JSON.stringify(previous), frozen);
});
