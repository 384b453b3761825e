/**
 * The `addresses` settings: defaults, every field read, the port-range parser as a table, and bad values located at
 * their line and column while only that field falls back to its default.
 */
import test from 'ava';
import { parsePortRange } from '../../src/config/address-settings.ts';
import { loadConfigText } from '../../src/config/load-config.ts';
import { DEFAULT_SETTINGS } from '../../src/config/settings-defaults.ts';

const doc = (spec: string): string => `apiVersion: edgeway.io/v1alpha1\nkind: EdgewaySettings\nmetadata:\n  name: main\nspec:\n${spec}`;

test('defaults: loopback service CIDR, API server NodePort range, NodePorts on 127.0.0.1, endpoints mode', (t) => {
  const a = DEFAULT_SETTINGS.addresses;
  t.deepEqual(a.serviceCIDRs, ['127.96.0.0/12']);
  t.deepEqual(a.nodePortRange, { min: 30000, max: 32767 });
  t.deepEqual(a.nodeAddresses, ['127.0.0.1']);
  t.deepEqual(a.pools, []);
  t.is(a.upstreamMode, 'endpoints');
  t.is(a.loadBalancerClass, 'edgeway.io/lb');
  t.is(a.tcpIdleTimeoutMs, 600_000);
});

test('parsePortRange', (t) => {
  const table: readonly [string, { min: number; max: number } | undefined][] = [
    ['30000-32767', { min: 30000, max: 32767 }],
    ['1-65535', { min: 1, max: 65535 }],
    ['8080-8080', { min: 8080, max: 8080 }],
    ['0-10', undefined],
    ['10-5', undefined],
    ['1-65536', undefined],
    ['30000', undefined],
    ['a-b', undefined],
  ];
  for (const [text, range] of table) t.deepEqual(parsePortRange(text), range, text);
});

test('every addresses field is read from the document', (t) => {
  const text = doc(`  addresses:
    pools:
      - {name: public, addresses: [127.241.0.0/24, "fd00::10-fd00::20"], autoAssign: false, avoidBuggyIPs: true}
      - {name: lab, addresses: [127.242.0.1-127.242.0.9]}
    serviceCIDRs: [10.96.0.0/12, "fd00:96::/108"]
    nodePortRange: 31000-31999
    loadBalancerClass: example.com/lb
    nodeAddresses: [127.0.0.1, 127.0.0.2]
    upstreamMode: nodePort
    tcpIdleTimeout: 30s
`);
  const load = loadConfigText([{ path: 's.yaml', text }]);
  t.deepEqual(load.diagnostics, []);
  t.deepEqual(load.settings.addresses, {
    pools: [
      { name: 'public', addresses: ['127.241.0.0/24', 'fd00::10-fd00::20'], autoAssign: false, avoidBuggyIPs: true },
      { name: 'lab', addresses: ['127.242.0.1-127.242.0.9'] },
    ],
    serviceCIDRs: ['10.96.0.0/12', 'fd00:96::/108'],
    nodePortRange: { min: 31000, max: 31999 },
    loadBalancerClass: 'example.com/lb',
    nodeAddresses: ['127.0.0.1', '127.0.0.2'],
    upstreamMode: 'nodePort',
    tcpIdleTimeoutMs: 30_000,
  });
});

test('bad values are located and only that field keeps its default', (t) => {
  const text = doc(`  addresses:
    pools:
      - {name: good, addresses: [127.241.0.0/24]}
      - {name: bad, addresses: [127.242.0.0/33]}
    serviceCIDRs: [10.96.0.0/12, 10.200.0.0/16]
    nodePortRange: 32000-31000
    nodeAddresses: [127.0.0.1, node-a]
    upstreamMode: ipvs
    tcpIdleTimeout: forever
`);
  const load = loadConfigText([{ path: 's.yaml', text }]);
  t.false(load.fatal);
  const got = load.diagnostics.map((d) => [d.code, d.field, d.position?.line]);
  t.deepEqual(
    got.sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    [
      ['EW_SETTINGS_INVALID', 'spec.addresses.nodeAddresses[1]', 12],
      ['EW_SETTINGS_INVALID', 'spec.addresses.nodePortRange', 11],
      ['EW_SETTINGS_INVALID', 'spec.addresses.pools[1].addresses[0]', 9],
      ['EW_SETTINGS_INVALID', 'spec.addresses.serviceCIDRs[1]', 10],
      ['EW_SETTINGS_INVALID', 'spec.addresses.tcpIdleTimeout', 14],
      ['EW_SETTINGS_INVALID', 'spec.addresses.upstreamMode', 13],
    ],
  );
  for (const d of load.diagnostics) t.is(d.object, 'EdgewaySettings main');
  const a = load.settings.addresses;
  t.deepEqual(a.pools, [{ name: 'good', addresses: ['127.241.0.0/24'] }]);
  t.deepEqual(a.serviceCIDRs, DEFAULT_SETTINGS.addresses.serviceCIDRs);
  t.deepEqual(a.nodePortRange, DEFAULT_SETTINGS.addresses.nodePortRange);
  t.deepEqual(a.nodeAddresses, DEFAULT_SETTINGS.addresses.nodeAddresses);
  t.is(a.upstreamMode, 'endpoints');
  t.is(a.tcpIdleTimeoutMs, DEFAULT_SETTINGS.addresses.tcpIdleTimeoutMs);
  const cidr = load.diagnostics.find((d) => d.field === 'spec.addresses.serviceCIDRs[1]');
  t.regex(cidr?.message ?? '', /at most one per IP family/);
});
