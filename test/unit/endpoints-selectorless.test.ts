/**
 * Selectorless Services: endpoints from an Endpoints object or from EndpointSlices labelled with the Service name.
 * Endpoints are written `address:port flags` (R ready, S serving, T terminating).
 */
import test from 'ava';
import type { Diagnostic } from '../../src/config/diagnostic.ts';
import { resolveBackend } from '../../src/controllers/resolve-backend.ts';
import type { ResolvedEndpoint } from '../../src/controllers/resolved-endpoint.ts';
import type { EndpointSlice, Endpoints, KubeObject, Node, Service } from '../../src/k8s/types.ts';
import { service, settings, storeOf } from '../fixtures/endpoints-fixtures.ts';

function brief(e: ResolvedEndpoint): string {
  return `${e.address}:${e.port} ${e.ready ? 'R' : '-'}${e.serving ? 'S' : '-'}${e.terminating ? 'T' : '-'}`;
}

function resolve(objects: readonly KubeObject[], port: number | string): { endpoints: string[]; diagnostics: Diagnostic[]; raw: readonly ResolvedEndpoint[] } {
  const { resolution, diagnostics } = resolveBackend(storeOf(...objects), { namespace: 'default', name: 'ext', port }, settings());
  if (resolution.kind !== 'endpoints') throw new Error(`expected endpoints, got ${resolution.kind}`);
  return { endpoints: resolution.endpoints.map(brief), diagnostics, raw: resolution.endpoints };
}

const single: Service = service('ext', { ports: [{ port: 80, targetPort: 1234 }] });
const multi: Service = service('ext', {
  ports: [
    { name: 'http', port: 80 },
    { name: 'metrics', port: 9090 },
  ],
});

function endpoints(subsets: Endpoints['subsets'], namespace = 'default'): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext', namespace }, ...(subsets ? { subsets } : {}) };
}

function slice(
  name: string,
  parts: { endpoints: EndpointSlice['endpoints']; ports: EndpointSlice['ports']; addressType?: EndpointSlice['addressType']; service?: string },
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': parts.service ?? 'ext' } },
    addressType: parts.addressType ?? 'IPv4',
    ...(parts.endpoints ? { endpoints: parts.endpoints } : {}),
    ...(parts.ports ? { ports: parts.ports } : {}),
  };
}

interface Case {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly port: number | string;
  readonly expected: readonly string[];
  /** Codes of the diagnostics expected, in order. */
  readonly codes?: readonly string[];
}

const cases: readonly Case[] = [
  {
    name: 'no Endpoints and no slices: no endpoints, no complaint',
    objects: [single],
    port: 80,
    expected: [],
  },
  {
    name: 'Endpoints: a single unnamed port; the target port comes from the Endpoints port',
    objects: [single, endpoints([{ addresses: [{ ip: '10.0.0.1' }, { ip: '127.0.0.1' }], notReadyAddresses: [{ ip: '10.0.0.2' }], ports: [{ port: 9000 }] }])],
    port: 80,
    expected: ['10.0.0.1:9000 RS-', '10.0.0.2:9000 ---', '127.0.0.1:9000 RS-'],
  },
  {
    name: 'Endpoints: named ports, per subset',
    objects: [
      multi,
      endpoints([
        {
          addresses: [{ ip: '10.0.0.1' }],
          ports: [
            { name: 'http', port: 8080 },
            { name: 'metrics', port: 9100 },
          ],
        },
        { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'metrics', port: 9200 }] },
      ]),
    ],
    port: 'http',
    expected: ['10.0.0.1:8080 RS-'],
  },
  {
    name: 'Endpoints: the same Service port by number',
    objects: [
      multi,
      endpoints([
        {
          addresses: [{ ip: '10.0.0.1' }],
          ports: [
            { name: 'http', port: 8080 },
            { name: 'metrics', port: 9100 },
          ],
        },
        { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'metrics', port: 9200 }] },
      ]),
    ],
    port: 9090,
    expected: ['10.0.0.1:9100 RS-', '10.0.0.2:9200 RS-'],
  },
  {
    name: 'Endpoints: an unnamed Service port does not match a named Endpoints port',
    objects: [single, endpoints([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'http', port: 9000 }] }])],
    port: 80,
    expected: [],
    codes: ['EW_ENDPOINTS_PORT_UNMATCHED'],
  },
  {
    name: 'Endpoints: the protocol must match',
    objects: [single, endpoints([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 9000, protocol: 'UDP' }] }])],
    port: 80,
    expected: [],
    codes: ['EW_ENDPOINTS_PORT_UNMATCHED'],
  },
  {
    name: 'Endpoints: an empty object is not a port mismatch',
    objects: [single, endpoints(undefined)],
    port: 80,
    expected: [],
  },
  {
    name: 'Endpoints in another namespace are not this Service’s',
    objects: [single, endpoints([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 9000 }] }], 'other')],
    port: 80,
    expected: [],
  },
  {
    name: 'slices: conditions (absent ready means ready; terminating is never ready)',
    objects: [
      single,
      slice('ext-1', {
        ports: [{ port: 9000 }],
        endpoints: [
          { addresses: ['10.0.0.1'] },
          { addresses: ['10.0.0.2'], conditions: { ready: false } },
          { addresses: ['10.0.0.3'], conditions: { ready: false, serving: true, terminating: true } },
          { addresses: ['10.0.0.4'], conditions: { ready: true, terminating: true } },
          { addresses: ['10.0.0.5'], conditions: { ready: false, serving: false, terminating: true } },
          { addresses: ['10.0.0.6', '10.0.0.60'], conditions: { ready: true, serving: true, terminating: false } },
          { addresses: [] },
        ],
      }),
    ],
    port: 80,
    expected: ['10.0.0.1:9000 RS-', '10.0.0.2:9000 ---', '10.0.0.3:9000 -ST', '10.0.0.4:9000 -ST', '10.0.0.5:9000 --T', '10.0.0.6:9000 RS-'],
  },
  {
    name: 'slices: ports by name, across slices; other Services’ slices ignored',
    objects: [
      multi,
      slice('ext-a', {
        ports: [
          { name: 'http', port: 8080 },
          { name: 'metrics', port: 9100 },
        ],
        endpoints: [{ addresses: ['10.0.0.1'] }],
      }),
      slice('ext-b', { ports: [{ name: 'http', port: 8081 }], endpoints: [{ addresses: ['10.0.0.2'] }] }),
      slice('other-a', { service: 'other', ports: [{ name: 'http', port: 8080 }], endpoints: [{ addresses: ['10.0.0.3'] }] }),
    ],
    port: 'http',
    expected: ['10.0.0.1:8080 RS-', '10.0.0.2:8081 RS-'],
  },
  {
    name: 'slices: a port without a number is skipped',
    objects: [single, slice('ext-1', { ports: [{}], endpoints: [{ addresses: ['10.0.0.1'] }] })],
    port: 80,
    expected: [],
    codes: ['EW_ENDPOINTS_PORT_UNMATCHED'],
  },
  {
    name: 'slices: IPv6 addresses',
    objects: [single, slice('ext-1', { addressType: 'IPv6', ports: [{ port: 9000 }], endpoints: [{ addresses: ['fd00::2'] }, { addresses: ['::1'] }] })],
    port: 80,
    expected: ['::1:9000 RS-', 'fd00::2:9000 RS-'],
  },
  {
    name: 'slices: FQDN slices are skipped with a warning, the others used',
    objects: [
      single,
      slice('ext-fqdn', { addressType: 'FQDN', ports: [{ port: 443 }], endpoints: [{ addresses: ['example.com'] }] }),
      slice('ext-v4', { ports: [{ port: 9000 }], endpoints: [{ addresses: ['10.0.0.1'] }] }),
    ],
    port: 80,
    expected: ['10.0.0.1:9000 RS-'],
    codes: ['EW_ENDPOINTSLICE_FQDN_UNSUPPORTED'],
  },
  {
    name: 'both present: the slices win, and a pair in two slices appears once (ready preferred)',
    objects: [
      single,
      endpoints([{ addresses: [{ ip: '10.9.9.9' }], ports: [{ port: 9000 }] }]),
      slice('ext-1', { ports: [{ port: 9000 }], endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: false } }, { addresses: ['10.0.0.2'] }] }),
      slice('ext-2', { ports: [{ port: 9000 }], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }] }),
    ],
    port: 80,
    expected: ['10.0.0.1:9000 RS-', '10.0.0.2:9000 RS-'],
  },
];

for (const c of cases) {
  test(`selectorless: ${c.name}`, (t) => {
    const { endpoints: got, diagnostics } = resolve(c.objects, c.port);
    t.deepEqual(got, c.expected);
    t.deepEqual(
      diagnostics.map((d) => d.code),
      c.codes ?? [],
    );
  });
}

test('selectorless: a port mismatch names the object, field and the ports that exist', (t) => {
  const { diagnostics } = resolve([single, endpoints([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'web', port: 9000 }] }])], 80);
  t.like(diagnostics[0], {
    severity: 'warning',
    object: 'Endpoints default/ext',
    field: 'subsets',
    position: { file: 'endpoints.yaml', line: 102, column: 3 },
  });
  t.regex(diagnostics[0]?.message ?? '', /unnamed\/TCP.*'web'\/TCP/);
});

test('selectorless: zone, node and targetRef from slices, Node label as fallback', (t) => {
  const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2', labels: { 'topology.kubernetes.io/zone': 'zone-b' } } };
  const { raw } = resolve(
    [
      single,
      node,
      slice('ext-1', {
        ports: [{ port: 9000 }],
        endpoints: [
          { addresses: ['10.0.0.1'], zone: 'zone-a', nodeName: 'n1', hostname: 'h1', targetRef: { kind: 'Pod', name: 'p1' } },
          { addresses: ['10.0.0.2'], nodeName: 'n2', targetRef: { kind: 'Pod', namespace: 'other', name: 'p2' } },
        ],
      }),
    ],
    80,
  );
  t.deepEqual(raw, [
    {
      address: '10.0.0.1',
      port: 9000,
      ready: true,
      serving: true,
      terminating: false,
      targetRef: 'default/p1',
      nodeName: 'n1',
      zone: 'zone-a',
      hostname: 'h1',
    },
    { address: '10.0.0.2', port: 9000, ready: true, serving: true, terminating: false, targetRef: 'other/p2', nodeName: 'n2', zone: 'zone-b' },
  ]);
});

test('selectorless: Endpoints addresses keep node, zone, hostname and targetRef', (t) => {
  const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } };
  const { raw } = resolve(
    [
      single,
      node,
      endpoints([{ addresses: [{ ip: '10.0.0.1', nodeName: 'n1', hostname: 'h', targetRef: { kind: 'Pod', name: 'p' } }], ports: [{ port: 9000 }] }]),
    ],
    80,
  );
  t.deepEqual(raw, [
    { address: '10.0.0.1', port: 9000, ready: true, serving: true, terminating: false, targetRef: 'default/p', nodeName: 'n1', zone: 'zone-a', hostname: 'h' },
  ]);
});
