/**
 * allocateAll's foreignClaims option: with 'reserve', the records of Services that are not among those given are
 * other replicas' claims, and none of their ClusterIPs, NodePorts or LoadBalancer IPs is handed out; with 'release'
 * (the default, one machine) they are deleted Services whose addresses are free again.
 */
import test from 'ava';
import { buildPools } from '../../src/allocation/address-pool.ts';
import { allocateAll, DEFAULT_ALLOCATION_OPTIONS, type AllocationOptions } from '../../src/allocation/allocate-services.ts';
import { EMPTY_ALLOCATION_STATE, type AllocationState, type ServiceRecord } from '../../src/allocation/allocation-state.ts';
import { loaded, pool, service } from '../fixtures/allocation-fixtures.ts';

const pools = buildPools([loaded(pool('p', ['10.0.0.1-10.0.0.3']))]).pools;
const reserve: AllocationOptions = { ...DEFAULT_ALLOCATION_OPTIONS, foreignClaims: 'reserve' };
const release: AllocationOptions = { ...DEFAULT_ALLOCATION_OPTIONS, foreignClaims: 'release' };

/** The state another replica recorded for its Service `default/theirs`. */
const theirs = allocateAll([loaded(service('theirs'))], pools, EMPTY_ALLOCATION_STATE).state;
const their = theirs.services['default/theirs'] as ServiceRecord;

function addresses(record: ServiceRecord | undefined): string[] {
  if (record === undefined) return [];
  return [...record.clusterIPs, ...record.nodePorts.map((n) => `${n.nodePort}/${n.protocol}`), ...(record.loadBalancer?.ips ?? [])];
}

test('reserve: a foreign record keeps its ClusterIP, NodePort and LoadBalancer IP; the state holds only our Services', (t) => {
  const outcome = allocateAll([loaded(service('ours'))], pools, theirs, reserve);
  const ours = outcome.state.services['default/ours'];
  t.deepEqual(Object.keys(outcome.state.services), ['default/ours']);
  t.is(ours?.loadBalancer?.ips[0], '10.0.0.2');
  const taken = new Set(addresses(their));
  t.deepEqual(
    addresses(ours).filter((a) => taken.has(a)),
    [],
  );
  t.deepEqual(outcome.diagnostics, []);
});

test('release (the default): a record without its Service is a deleted Service, and its addresses are free', (t) => {
  const byDefault = allocateAll([loaded(service('ours'))], pools, theirs);
  const released = allocateAll([loaded(service('ours'))], pools, theirs, release);
  t.deepEqual(released, byDefault);
  t.deepEqual(addresses(byDefault.state.services['default/ours']), addresses(their));
});

test('reserve: our own recorded Services are honoured as before', (t) => {
  const both = allocateAll([loaded(service('theirs')), loaded(service('ours'))], pools, EMPTY_ALLOCATION_STATE).state;
  const again = allocateAll([loaded(service('ours'))], pools, both, reserve);
  t.deepEqual(again.state.services['default/ours'], both.services['default/ours']);
  t.deepEqual(again.diagnostics, []);
});

test('reserve: our record colliding with a foreign claim is dropped with a diagnostic and redone elsewhere', (t) => {
  // A state in which our Service recorded exactly the addresses the other replica holds.
  const colliding: AllocationState = { version: 1, services: { ...theirs.services, 'default/ours': their } };
  const outcome = allocateAll([loaded(service('ours'))], pools, colliding, reserve);
  const ours = outcome.state.services['default/ours'];
  const taken = new Set(addresses(their));
  t.deepEqual(
    addresses(ours).filter((a) => taken.has(a)),
    [],
  );
  t.is(ours?.loadBalancer?.ips.length, 1);
  t.true(outcome.diagnostics.some((d) => d.code === 'EW_ALLOCATION_DROPPED'));
});

test('reserve: asking for a foreign LoadBalancer IP leaves the Service pending; a foreign NodePort or ClusterIP rejects it', (t) => {
  const lbIp = their.loadBalancer?.ips[0] ?? '';
  const nodePort = their.nodePorts[0]?.nodePort ?? 0;
  const services = [
    loaded(service('wants-ip', { spec: { loadBalancerIP: lbIp } })),
    loaded(service('wants-port', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort }] })),
    loaded(service('wants-cluster-ip', { type: 'ClusterIP', spec: { clusterIP: their.clusterIPs[0] ?? '' } })),
  ];
  const outcome = allocateAll(services, pools, theirs, reserve);
  const ip = outcome.results.get('default/wants-ip')?.loadBalancer;
  t.is(ip?.kind, 'pending');
  t.is(ip?.kind === 'pending' ? ip.reason : undefined, 'EW_LB_IP_TAKEN');
  t.is(outcome.results.get('default/wants-port')?.rejected?.reason, 'EW_NODEPORT_TAKEN');
  t.is(outcome.results.get('default/wants-cluster-ip')?.rejected?.reason, 'EW_CLUSTERIP_TAKEN');
  // Without reserve, all three get what they asked for: the record is a deleted Service's.
  const alone = services.map((s) => allocateAll([s], pools, theirs));
  t.is(alone[0]?.results.get('default/wants-ip')?.loadBalancer.kind, 'assigned');
  t.is(alone[1]?.results.get('default/wants-port')?.rejected, null);
  t.is(alone[2]?.results.get('default/wants-cluster-ip')?.rejected, null);
});

test("reserve: foreign claims outside today's pools and ranges are skipped, not errors", (t) => {
  const odd: AllocationState = {
    version: 1,
    services: {
      'default/gone': {
        clusterIPs: ['192.168.0.9'],
        nodePorts: [{ port: 80, protocol: 'TCP', nodePort: 80 }],
        loadBalancer: { pool: 'old', ips: ['172.16.0.1'] },
      },
    },
  };
  const outcome = allocateAll([loaded(service('ours'))], pools, odd, reserve);
  t.is(outcome.state.services['default/ours']?.loadBalancer?.ips[0], '10.0.0.1');
  t.deepEqual(outcome.diagnostics, []);
});

test('reserve: a Service here that holds nothing keeps its record reserved, since another replica may hold it', (t) => {
  // Another replica's files define default/theirs as a LoadBalancer Service; ours define it as ExternalName.
  const externalName = loaded(service('theirs', { type: 'ExternalName', spec: { externalName: 'example.com' } }));
  const outcome = allocateAll([externalName, loaded(service('ours'))], pools, theirs, reserve);
  t.is(outcome.state.services['default/theirs'], undefined);
  const taken = new Set(addresses(their));
  t.deepEqual(
    addresses(outcome.state.services['default/ours']).filter((a) => taken.has(a)),
    [],
  );
  t.deepEqual(outcome.diagnostics, []);
  // On one machine the record is simply outdated, and its addresses are free.
  const released = allocateAll([externalName, loaded(service('ours'))], pools, theirs);
  t.deepEqual(addresses(released.state.services['default/ours']), addresses(their));
});

test('reserve: a foreign claim whose IPs fall in two of our pools keeps both taken', (t) => {
  const split = buildPools([loaded(pool('v4', ['10.0.0.1-10.0.0.2'])), loaded(pool('v6', ['fd00::1-fd00::2']))]).pools;
  const dual: AllocationState = {
    version: 1,
    services: { 'default/dual': { clusterIPs: [], nodePorts: [], loadBalancer: { pool: 'both', ips: ['10.0.0.1', 'fd00::1'] } } },
  };
  const v6 = allocateAll([loaded(service('v6-only'))], split, dual, { ...reserve, serviceCIDRs: ['fd01::/108'] }).state.services['default/v6-only'];
  t.deepEqual(v6?.loadBalancer?.ips, ['fd00::2']);
  const v4 = allocateAll([loaded(service('v4-only'))], split, dual, reserve).state.services['default/v4-only'];
  t.deepEqual(v4?.loadBalancer?.ips, ['10.0.0.2']);
});
