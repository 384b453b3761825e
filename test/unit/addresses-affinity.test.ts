/**
 * sessionAffinity: ClientIP as a Balancer wrapper (table tests with a fake clock: stickiness, sliding expiry, an
 * endpoint that left, the bounded table), then over real sockets for both the HTTP path (LoadBalancer IP with
 * appProtocol http, and an Ingress backend) and the TCP pass-through path.
 */
import test from 'ava';
import { CandidateSet } from '../../src/dataplane/balancers/candidate-set.ts';
import { ClientIpAffinity } from '../../src/dataplane/balancers/client-ip-affinity.ts';
import { RoundRobin } from '../../src/dataplane/balancers/round-robin.ts';
import type { ResolvedEndpoint } from '../../src/controllers/resolved-endpoint.ts';
import { addressSettings, halfClosePeer, loopbackBlock, pod, serve, service, tcpExchange } from '../fixtures/addresses-fixtures.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS } from '../helpers/manifests.ts';
import { unusedPort } from '../helpers/servers.ts';

const ep = (address: string, port = 80): ResolvedEndpoint => ({ address, port, ready: true, serving: true, terminating: false });
/** Balancers pick from candidate sets (issue 6); each endpoint becomes a candidate keyed by address:port. */
const setOf = (list: readonly ResolvedEndpoint[]): CandidateSet =>
  new CandidateSet(list.map((e) => ({ key: `${e.address}:${e.port}`, weight: 1, load: { inFlight: 0, ewmaMs: 0, ewmaAt: 0 } })));

test('ClientIpAffinity: a client sticks to its endpoint; others are balanced; expiry slides; a gone endpoint is re-picked', (t) => {
  let now = 0;
  const b = new ClientIpAffinity(new RoundRobin(), 1000, 100, () => now);
  const list = [ep('10.0.0.1'), ep('10.0.0.2'), ep('10.0.0.3')];
  const a1 = b.pick(setOf(list), { clientIp: 'a' });
  const b1 = b.pick(setOf(list), { clientIp: 'b' });
  t.not(a1, b1);
  for (let i = 0; i < 5; i++) t.is(b.pick(setOf(list), { clientIp: 'a' }), a1);
  // Sliding: each pick within the timeout extends it.
  now = 900;
  t.is(b.pick(setOf(list), { clientIp: 'a' }), a1);
  now = 1800;
  t.is(b.pick(setOf(list), { clientIp: 'a' }), a1);
  // The endpoint left (list order changed too): the client is re-balanced and then sticks to the new one.
  const without = list.filter((_, i) => i !== a1).reverse();
  const moved = b.pick(setOf(without), { clientIp: 'a' });
  t.not(moved, -1);
  t.is(b.pick(setOf(without), { clientIp: 'a' }), moved);
  // The endpoint is found by address and port, not by index, when the list is reordered.
  const chosen = without[moved]!;
  const reordered = [...without].reverse();
  t.is(reordered[b.pick(setOf(reordered), { clientIp: 'a' })], chosen);
  t.is(b.pick(setOf([]), { clientIp: 'a' }), -1);
});

test('ClientIpAffinity: entries expire after the timeout, and the table is bounded (least recently seen dropped)', (t) => {
  let now = 0;
  const picks: number[] = [];
  const inner = { pick: () => (picks.push(1), picks.length % 2) };
  const b = new ClientIpAffinity(inner, 1000, 3, () => now);
  const list = [ep('10.0.0.1'), ep('10.0.0.2')];
  b.pick(setOf(list), { clientIp: 'a' });
  now = 1001;
  b.pick(setOf(list), { clientIp: 'a' });
  t.is(picks.length, 2, 'expired: the inner policy picks again');
  for (const c of ['b', 'c', 'd']) b.pick(setOf(list), { clientIp: c });
  t.is(b.size, 3);
  const before = picks.length;
  b.pick(setOf(list), { clientIp: 'a' });
  t.is(picks.length, before + 1, 'a was the least recently seen and was dropped');
  b.pick(setOf(list), { clientIp: 'd' });
  t.is(picks.length, before + 1, 'd is still remembered');
});

test('sessionAffinity: ClientIP keeps a client on one endpoint on the HTTP and TCP paths; without it, round-robin', async (t) => {
  const block = loopbackBlock();
  const [a, b] = [await pod(t, 'pod-a'), await pod(t, 'pod-b')];
  const [p1, p2] = [await halfClosePeer(t, 'one'), await halfClosePeer(t, 'two')];
  const [httpPort, tcpPort, ingressPort] = [await unusedPort(), await unusedPort(), await unusedPort()];
  const affinity = '  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 60\n';
  const pods = [
    { ip: '127.0.0.1', port: a.port },
    { ip: '127.0.0.1', port: b.port },
  ];
  const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: sticky, namespace: default}
spec:
  rules:
    - host: sticky.test
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: sticky-web, port: {number: ${ingressPort}}}}}
`;
  const yaml = docs(
    INGRESS_CLASS,
    addressSettings({ pool: [`${block}.0/29`], nodes: [`${block}.100`] }),
    service({ name: 'sticky', ports: [{ port: httpPort, appProtocol: 'http' }], endpoints: pods, spec: affinity, created: '2026-01-01T00:00:00Z' }),
    service({ name: 'plain', ports: [{ port: httpPort, appProtocol: 'http' }], endpoints: pods, created: '2026-01-02T00:00:00Z' }),
    service({
      name: 'sticky-tcp',
      ports: [{ port: tcpPort }],
      endpoints: [
        { ip: '127.0.0.1', port: p1.port },
        { ip: '127.0.0.1', port: p2.port },
      ],
      spec: affinity,
      created: '2026-01-03T00:00:00Z',
    }),
    service({ name: 'sticky-web', type: 'ClusterIP', ports: [{ port: ingressPort }], endpoints: pods, spec: affinity }),
    ingress,
  );
  const { edgeway } = await serve(t, await tempDir(t), yaml);
  const ip = (name: string): string => {
    const lb = edgeway.snapshot.addresses.services.get(`default/${name}`)?.loadBalancer;
    return lb?.kind === 'assigned' ? lb.ips[0]! : '';
  };
  const bodies = async (url: string, host = 'x'): Promise<Set<string>> => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await httpGet(url, { host })).text);
    return seen;
  };
  t.is((await bodies(`http://${ip('sticky')}:${httpPort}/`)).size, 1);
  t.is((await bodies(`http://${ip('plain')}:${httpPort}/`)).size, 2);
  const httpEntry = edgeway.addresses[0]!;
  t.is((await bodies(`http://127.0.0.1:${httpEntry.port}/`, 'sticky.test')).size, 1);
  const tcp = new Set<string>();
  for (let i = 0; i < 4; i++) tcp.add((await tcpExchange(ip('sticky-tcp'), tcpPort, 'hi')).toString());
  t.is(tcp.size, 1);
});
