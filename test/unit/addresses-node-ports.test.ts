/**
 * NodePorts on every Node of this machine: the pure rules (which addresses are local, which Node addresses serve
 * NodePorts, the warning for the others), then over sockets: a NodePort answers on the local Node addresses and the
 * settings' node address, and NodePort fan-out sends only where edgeway serves, so every request succeeds.
 */
import test from 'ava';
import type { LoadedObject } from '../../src/config/loaded-object.ts';
import { nodePortAddresses } from '../../src/controllers/node-port-addresses.ts';
import { nodeTargets } from '../../src/controllers/node-targets.ts';
import type { Node } from '../../src/k8s/types.ts';
import { localAddressCheck } from '../../src/net/local-addresses.ts';
import { loopbackBlock, pod, serve, service } from '../fixtures/addresses-fixtures.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS } from '../helpers/manifests.ts';
import { unusedPort, waitFor } from '../helpers/servers.ts';

const node = (name: string, addresses: { type: string; address: string }[]): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { addresses },
});
const loaded = (object: Node): LoadedObject<Node> => ({
  object,
  position: { file: 'nodes.yaml', line: 1, column: 1 },
  origin: { kind: 'file', file: 'nodes.yaml', line: 1, column: 1 },
  locate: (path) => ({ file: `nodes.yaml#${path.join('.')}`, line: 1, column: 1 }),
});

test('localAddressCheck: interface addresses and every loopback address are local', (t) => {
  const isLocal = localAddressCheck({
    eth0: [{ address: '10.1.2.3', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: '10.1.2.3/8' }],
  });
  for (const address of ['10.1.2.3', '127.0.0.1', '127.201.7.9', '::1', '0:0:0:0:0:0:0:1']) t.true(isLocal(address), address);
  for (const address of ['10.1.2.4', '192.0.2.1', 'fd00::1', 'not-an-ip']) t.false(isLocal(address), address);
});

test('nodePortAddresses: the settings addresses, then local InternalIPs and ExternalIPs; the others are warned about', (t) => {
  const isLocal = localAddressCheck({});
  const nodes = [
    node('b', [
      { type: 'InternalIP', address: '192.0.2.10' },
      { type: 'ExternalIP', address: '127.9.0.2' },
      { type: 'Hostname', address: 'b' },
    ]),
    node('a', [
      { type: 'InternalIP', address: '127.9.0.1' },
      { type: 'InternalIP', address: '127.0.0.1' },
    ]),
    node('c', [{ type: 'InternalIP', address: '198.51.100.7' }]),
  ].map(loaded);
  const found = nodePortAddresses(nodes, ['127.0.0.1'], isLocal);
  t.deepEqual(found.addresses, ['127.0.0.1', '127.9.0.1', '127.9.0.2']);
  t.deepEqual(
    found.diagnostics.map((d) => `${d.severity} ${d.code} ${d.object ?? ''} ${d.field ?? ''} ${d.position?.file ?? ''}`),
    [
      'warning EW_NODE_ADDRESS_NOT_LOCAL Node b status.addresses[0].address nodes.yaml#status.addresses.0.address',
      'warning EW_NODE_ADDRESS_NOT_LOCAL Node c status.addresses[0].address nodes.yaml#status.addresses.0.address',
    ],
  );
  t.is(
    found.diagnostics[0]?.message,
    "InternalIP 192.0.2.10 is not an address of this machine: NodePorts are not served there and NodePort fan-out does not send to it; add the address to an interface here, or list this machine's address instead",
  );
  // Fan-out: the first local InternalIP, else a local ExternalIP; a node with neither is left out.
  t.deepEqual(
    nodeTargets(
      nodes.map((n) => n.object),
      ['127.0.0.1'],
      isLocal,
    ),
    [
      { name: 'a', address: '127.9.0.1' },
      { name: 'b', address: '127.9.0.2' },
    ],
  );
});

test('over sockets: the NodePort answers on every local Node address, and fan-out only uses those', async (t) => {
  const block = loopbackBlock();
  const backend = await pod(t, 'backend');
  const nodePort = await unusedPort();
  const appPort = await unusedPort();
  const nodes = docs(
    `apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\nstatus:\n  addresses:\n    - {type: InternalIP, address: ${block}.1}\n`,
    `apiVersion: v1\nkind: Node\nmetadata: {name: node-b}\nstatus:\n  addresses:\n    - {type: InternalIP, address: 192.0.2.10}\n    - {type: ExternalIP, address: ${block}.2}\n`,
    `apiVersion: v1\nkind: Node\nmetadata: {name: node-c}\nstatus:\n  addresses:\n    - {type: InternalIP, address: 198.51.100.7}\n`,
  );
  const settings = `apiVersion: edgeway.io/v1alpha1
kind: EdgewaySettings
metadata: {name: edgeway}
spec:
  addresses:
    nodePortRange: 1024-65535
    nodeAddresses: [${block}.200]
`;
  const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  rules:
    - host: web.test
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: ${appPort}}}}}
`;
  const web = service({
    name: 'web',
    type: 'NodePort',
    annotations: { 'edgeway.io/upstream-mode': 'nodeport' },
    ports: [{ port: appPort, nodePort }],
    endpoints: [{ ip: '127.0.0.1', port: backend.port }],
  });
  const { edgeway } = await serve(t, await tempDir(t), docs(INGRESS_CLASS, settings, nodes, web, ingress));
  for (const address of [`${block}.1`, `${block}.2`, `${block}.200`]) {
    await waitFor(async () => (await httpGet(`http://${address}:${nodePort}/`).catch(() => undefined))?.text === 'backend', 10_000, `NodePort on ${address}`);
  }
  const entry = `http://127.0.0.1:${edgeway.addresses[0]!.port}/`;
  for (let i = 0; i < 6; i++) {
    const reply = await httpGet(entry, { host: 'web.test' });
    t.is(reply.status, 200, `request ${i}`);
    t.is(reply.text, 'backend');
  }
  const status = JSON.parse((await httpGet(`http://127.0.0.1:${edgeway.adminPort}/config/status`)).text) as {
    diagnostics: { code: string; object?: string; field?: string }[];
  };
  t.deepEqual(
    status.diagnostics.filter((d) => d.code === 'EW_NODE_ADDRESS_NOT_LOCAL').map((d) => `${d.object ?? ''} ${d.field ?? ''}`),
    ['Node node-b status.addresses[0].address', 'Node node-c status.addresses[0].address'],
  );
});
