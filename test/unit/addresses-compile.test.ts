/**
 * The address part of compilation, pure (no sockets): which listeners a set of Services yields (ClusterIPs,
 * LoadBalancer IPs, NodePorts on every node address), their kinds, and the problems that become conditions: a UDP
 * port, an HTTPS port on an entrypoint Service, two Services on one address:port; headless and ExternalName
 * Services get no listener; the allocation state comes out for the caller to persist.
 */
import test from 'ava';
import { loadConfigText } from '../../src/config/load-config.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { addressSettings, service } from '../fixtures/addresses-fixtures.ts';
import { docs } from '../helpers/manifests.ts';

function compile(yaml: string) {
  const load = loadConfigText([{ path: 'c.yaml', text: yaml }]);
  return compileSnapshot(new ObjectStore(load.objects), load.settings, 1);
}

test('listeners: ClusterIP, LoadBalancer IP and NodePort on every node address, with their kinds', (t) => {
  const snapshot = compile(
    docs(
      addressSettings({ pool: ['127.241.0.10/32'], nodes: ['127.0.0.1', '127.0.0.2'] }),
      service({ name: 'lb', ports: [{ port: 5432 }, { port: 8080, appProtocol: 'http', name: 'web' }], endpoints: [] }),
      service({ name: 'headless', type: 'ClusterIP', spec: '  clusterIP: None\n', ports: [{ port: 80 }], endpoints: [] }),
    ),
  );
  const lb = snapshot.addresses.services.get('default/lb')!;
  const cip = lb.clusterIPs[0]!;
  const [np1, np2] = lb.nodePorts.map((n) => n.nodePort);
  const got = snapshot.addresses.listeners.map((l) => `${l.key} ${l.kind} ${l.source} ${l.backendKey}`);
  t.deepEqual(got, [
    `${cip}:5432/TCP tcp clusterIP listener:default/lb:5432`,
    `127.241.0.10:5432/TCP tcp loadBalancer listener:default/lb:5432`,
    `127.0.0.1:${np1}/TCP tcp nodePort listener:default/lb:5432`,
    `127.0.0.2:${np1}/TCP tcp nodePort listener:default/lb:5432`,
    `${cip}:8080/TCP http clusterIP listener:default/lb:8080`,
    `127.241.0.10:8080/TCP http loadBalancer listener:default/lb:8080`,
    `127.0.0.1:${np2}/TCP http nodePort listener:default/lb:8080`,
    `127.0.0.2:${np2}/TCP http nodePort listener:default/lb:8080`,
  ]);
  t.true(snapshot.backends.has('listener:default/lb:5432'));
  t.deepEqual(Object.keys(snapshot.addresses.state.services), ['default/lb']);
  t.deepEqual(snapshot.listenerFailures, new Map());
});

test('problems: a UDP port and a second Service on the same address:port; an entrypoint Service HTTPS port is an ingress-https listener', (t) => {
  const snapshot = compile(
    docs(
      // The node address is also the pool's only address, so "entry"'s LoadBalancer listener and "np"'s NodePort meet.
      addressSettings({ pool: ['127.241.0.20/32'], nodes: ['127.241.0.20'], extra: '    nodePortRange: 30000-30100\n' }),
      service({
        name: 'entry',
        annotations: { 'edgeway.io/entrypoint': 'true' },
        ports: [
          { port: 30000, name: 'http', nodePort: 30050 },
          { port: 443, name: 'https' },
        ],
        endpoints: [],
      }),
      service({
        name: 'np',
        type: 'NodePort',
        ports: [
          { port: 53, protocol: 'UDP', name: 'dns' },
          { port: 9000, nodePort: 30000, name: 'x' },
        ],
        endpoints: [],
      }),
    ),
  );
  const reasons = (key: string) => (snapshot.addresses.problems.get(key) ?? []).map((p) => p.reason);
  t.deepEqual(reasons('default/entry'), []);
  t.true(snapshot.addresses.listeners.some((l) => l.service === 'default/entry' && l.kind === 'ingress-https' && l.port === 443));
  t.deepEqual(reasons('default/np'), ['EW_SERVICE_PROTOCOL_UNSUPPORTED', 'EW_LISTENER_CONFLICT']);
  const conflict = snapshot.addresses.problems.get('default/np')?.[1]?.message ?? '';
  t.regex(conflict, /127\.241\.0\.20:30000\/TCP is already served for Service default\/entry port 30000/);
  const entryListener = snapshot.addresses.listeners.find((l) => l.key === '127.241.0.20:30000/TCP');
  t.like(entryListener, { kind: 'ingress', service: 'default/entry', backendKey: null });
  t.deepEqual(snapshot.addresses.entrypointIPs, ['127.241.0.20']);
  const udp = snapshot.diagnostics.find((d) => d.code === 'EW_SERVICE_PROTOCOL_UNSUPPORTED');
  t.like(udp, { severity: 'warning', object: 'Service default/np', field: 'spec.ports[0].protocol' });
  t.is(udp?.position?.file, 'c.yaml');
});
