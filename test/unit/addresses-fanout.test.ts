/**
 * NodePort fan-out for Ingress backends: the pure rules as tables (nodes from Node objects or the settings, the
 * upstream-mode annotation, externalTrafficPolicy Local), then over real sockets with real "node" peers listening
 * on the NodePort at their node addresses: Local sends only to the node that runs a ready endpoint, Cluster to all.
 */
import test from 'ava';
import { nodePortUpstreams, nodeTargets, upstreamModeOf } from '../../src/controllers/node-targets.ts';
import type { ResolvedEndpoint } from '../../src/controllers/resolved-endpoint.ts';
import type { Node, Service } from '../../src/k8s/types.ts';
import { listenerKindOf } from '../../src/snapshot/compile-addresses.ts';
import { loopbackBlock, podAt, serve, service } from '../fixtures/addresses-fixtures.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS } from '../helpers/manifests.ts';
import { unusedPort } from '../helpers/servers.ts';

const node = (name: string, addresses: { type: string; address: string }[]): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { addresses },
});
const svc = (spec: Partial<Service['spec']> = {}, annotations?: Record<string, string>): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's', namespace: 'default', ...(annotations === undefined ? {} : { annotations }) },
  spec: { type: 'NodePort', ports: [{ port: 80 }], ...spec },
});
const ep = (nodeName: string, ready = true): ResolvedEndpoint => ({ address: '10.0.0.1', port: 8080, ready, serving: ready, terminating: false, nodeName });

test('nodeTargets: InternalIP before ExternalIP, nodes without either left out, settings addresses only without Node objects', (t) => {
  const nodes = [
    node('b', [
      { type: 'ExternalIP', address: '203.0.113.2' },
      { type: 'InternalIP', address: '10.0.0.2' },
    ]),
    node('a', [{ type: 'ExternalIP', address: '203.0.113.1' }]),
    node('c', [{ type: 'Hostname', address: 'c.local' }]),
  ];
  t.deepEqual(nodeTargets(nodes, ['127.0.0.1']), [
    { name: 'a', address: '203.0.113.1' },
    { name: 'b', address: '10.0.0.2' },
  ]);
  t.deepEqual(nodeTargets([], ['127.0.0.2', '127.0.0.1']), [
    { name: '127.0.0.1', address: '127.0.0.1' },
    { name: '127.0.0.2', address: '127.0.0.2' },
  ]);
});

test('upstreamModeOf: the annotation wins over the settings; an unknown value is reported', (t) => {
  const table: readonly [Record<string, string> | undefined, 'endpoints' | 'nodePort', unknown][] = [
    [undefined, 'endpoints', 'endpoints'],
    [undefined, 'nodePort', 'nodePort'],
    [{ 'edgeway.io/upstream-mode': 'nodeport' }, 'endpoints', 'nodePort'],
    [{ 'edgeway.io/upstream-mode': 'NodePort' }, 'endpoints', 'nodePort'],
    [{ 'edgeway.io/upstream-mode': 'endpoints' }, 'nodePort', 'endpoints'],
    [{ 'edgeway.io/upstream-mode': 'ipvs' }, 'endpoints', { invalid: 'ipvs' }],
  ];
  for (const [annotations, fallback, expected] of table) t.deepEqual(upstreamModeOf(svc({}, annotations), fallback), expected, JSON.stringify(annotations));
});

test('nodePortUpstreams: Cluster sends to every node, Local only to nodes with a ready endpoint', (t) => {
  const nodes = [
    { name: 'a', address: '10.0.0.1' },
    { name: 'b', address: '10.0.0.2' },
    { name: 'c', address: '10.0.0.3' },
  ];
  const endpoints = [ep('a'), ep('c', false)];
  const addresses = (s: Service): string[] => nodePortUpstreams(s, 31000, nodes, endpoints).map((e) => `${e.address}:${e.port}`);
  t.deepEqual(addresses(svc()), ['10.0.0.1:31000', '10.0.0.2:31000', '10.0.0.3:31000']);
  t.deepEqual(addresses(svc({ externalTrafficPolicy: 'Cluster' })), ['10.0.0.1:31000', '10.0.0.2:31000', '10.0.0.3:31000']);
  t.deepEqual(addresses(svc({ externalTrafficPolicy: 'Local' })), ['10.0.0.1:31000']);
  t.deepEqual(nodePortUpstreams(svc({ externalTrafficPolicy: 'Local' }), 31000, nodes, []), []);
});

test('listenerKindOf: TCP pass-through, HTTP by appProtocol, Ingress on entrypoint Services, UDP unsupported', (t) => {
  const entry = svc({ type: 'LoadBalancer' }, { 'edgeway.io/entrypoint': 'true' });
  t.is(listenerKindOf(svc(), { port: 5432 }), 'tcp');
  t.is(listenerKindOf(svc(), { port: 80, appProtocol: 'http' }), 'http');
  t.is(listenerKindOf(svc(), { port: 80, appProtocol: 'kubernetes.io/h2c' }), 'http');
  t.is(listenerKindOf(svc(), { port: 443, appProtocol: 'https' }), 'tcp');
  t.like(listenerKindOf(svc(), { port: 53, protocol: 'UDP' }), { reason: 'EW_SERVICE_PROTOCOL_UNSUPPORTED' });
  t.like(listenerKindOf(svc(), { port: 9, protocol: 'SCTP' }), { reason: 'EW_SERVICE_PROTOCOL_UNSUPPORTED' });
  t.is(listenerKindOf(entry, { port: 80 }), 'ingress');
  t.is(listenerKindOf(entry, { port: 443, name: 'https' }), 'ingress-https');
  t.is(listenerKindOf(entry, { port: 8443, appProtocol: 'https' }), 'ingress-https');
  t.is(listenerKindOf(svc({}, { 'edgeway.io/entrypoint': 'true' }), { port: 80 }), 'tcp', 'only LoadBalancer Services are entrypoints');
});

test('NodePort fan-out over sockets: Local reaches only the node running a ready endpoint, Cluster every node', async (t) => {
  const block = loopbackBlock();
  const nodePort = await unusedPort();
  // The "nodes": real peers on two node addresses at the NodePort, each answering its node's name.
  await podAt(t, 'node-a', `${block}.1`, nodePort);
  await podAt(t, 'node-b', `${block}.2`, nodePort);
  const appPort = await unusedPort();
  const nodesYaml = ['node-a', 'node-b']
    .map((n, i) => `apiVersion: v1\nkind: Node\nmetadata: {name: ${n}}\nstatus:\n  addresses:\n    - {type: InternalIP, address: ${block}.${i + 1}}\n`)
    .join('---\n');
  const ingress = (name: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: default}
spec:
  rules:
    - host: ${name}.test
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: ${name}, port: {number: ${appPort}}}}}
`;
  const settings = `apiVersion: edgeway.io/v1alpha1
kind: EdgewaySettings
metadata: {name: edgeway}
spec:
  addresses:
    nodePortRange: 1024-65535
    nodeAddresses: [${block}.200]
`;
  const fanned = (name: string, policy: 'Local' | 'Cluster', port: number) =>
    service({
      name,
      type: 'NodePort',
      annotations: { 'edgeway.io/upstream-mode': 'nodeport' },
      spec: `  externalTrafficPolicy: ${policy}\n`,
      ports: [{ port: appPort, nodePort: port }],
      endpoints: [{ ip: '127.0.0.1', port: 9, nodeName: 'node-a' }],
    });
  // Only "local" may hold the real NodePort (the nodes answer there); "cluster" gets another one in the same way.
  const yaml = docs(INGRESS_CLASS, settings, nodesYaml, fanned('local', 'Local', nodePort), ingress('local'));
  const { edgeway } = await serve(t, await tempDir(t), yaml);
  const entry = `http://127.0.0.1:${edgeway.addresses[0]!.port}/`;
  const seen = new Set<string>();
  for (let i = 0; i < 4; i++) seen.add((await httpGet(entry, { host: 'local.test' })).text);
  t.deepEqual([...seen], ['node-a']);

  const clusterDir = await tempDir(t);
  const cluster = await serve(t, clusterDir, docs(INGRESS_CLASS, settings, nodesYaml, fanned('cluster', 'Cluster', nodePort), ingress('cluster')));
  const all = new Set<string>();
  for (let i = 0; i < 4; i++) all.add((await httpGet(`http://127.0.0.1:${cluster.edgeway.addresses[0]!.port}/`, { host: 'cluster.test' })).text);
  t.deepEqual([...all].sort(), ['node-a', 'node-b']);
});
