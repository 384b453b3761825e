/**
 * `dns.forwarders`: names outside edgeway's domains go to the resolvers named, in order, over UDP and TCP; an
 * ExternalName Service's target is resolved through them, so a pod-like client gets the target's address; with no
 * resolver answering, SERVFAIL; without forwarders, such names stay REFUSED. The upstream is a DNS server of the
 * test's own on loopback.
 */
import test from 'ava';
import { Resolver } from 'node:dns/promises';
import { docs, settings } from '../helpers/manifests.ts';
import { startEdgeway } from '../helpers/edgeway.ts';
import { answersOf, closedPort, query, rcodeOf, upstreamResolver } from '../fixtures/discovery-fixtures.ts';

const EXTERNAL_NAME = `apiVersion: v1
kind: Service
metadata: {name: ext, namespace: shop}
spec:
  type: ExternalName
  externalName: api.example.test
`;

async function withForwarders(t: Parameters<typeof startEdgeway>[0], forwarders: readonly number[]) {
  const list = forwarders.map((p) => `"127.0.0.1:${p}"`).join(', ');
  const running = await startEdgeway(t, docs(settings(`reload: {watch: false}\ndns: {address: "127.0.0.1:0", forwarders: [${list}]}`), EXTERNAL_NAME));
  const resolver = new Resolver({ timeout: 3000, tries: 1 });
  resolver.setServers([`127.0.0.1:${running.edgeway.dnsPort}`]);
  return { running, resolver, port: running.edgeway.dnsPort };
}

test('a name outside the domains is forwarded; the cluster domain is still answered here', async (t) => {
  const upstream = await upstreamResolver(t, { 'api.example.test': '127.0.9.9' });
  const { resolver } = await withForwarders(t, [upstream.port]);
  t.deepEqual(await resolver.resolve4('api.example.test'), ['127.0.9.9']);
  await t.throwsAsync(resolver.resolve4('missing.example.test'), { code: 'ENOTFOUND' });
  await t.throwsAsync(resolver.resolve4('nope.shop.svc.cluster.local'), { code: 'ENOTFOUND' });
  t.deepEqual(upstream.asked, ['A api.example.test', 'A missing.example.test']);
});

test('an ExternalName Service resolves to its target’s address through the forwarders', async (t) => {
  const upstream = await upstreamResolver(t, { 'api.example.test': '127.0.9.9' });
  const { resolver, port } = await withForwarders(t, [upstream.port]);
  t.deepEqual(await resolver.resolve4('ext.shop.svc.cluster.local'), ['127.0.9.9']);
  const raw = await query(port, 'ext.shop.svc.cluster.local', 'A');
  t.is(rcodeOf(raw), 'NOERROR');
  t.deepEqual(answersOf(raw), [
    ['CNAME', 'ext.shop.svc.cluster.local', 'api.example.test'],
    ['A', 'api.example.test', '127.0.9.9'],
  ]);
});

test('over TCP, a resolver that refuses is skipped for the next; none answering is SERVFAIL', async (t) => {
  const upstream = await upstreamResolver(t, { 'api.example.test': '127.0.9.9' });
  const dead = await closedPort();
  const { port } = await withForwarders(t, [dead, upstream.port]);
  const tcp = await query(port, 'api.example.test', 'A', 'tcp');
  t.deepEqual(answersOf(tcp), [['A', 'api.example.test', '127.0.9.9']]);
  t.deepEqual(upstream.asked, ['A api.example.test']);

  const none = await withForwarders(t, [dead]);
  t.is(rcodeOf(await query(none.port, 'api.example.test', 'A', 'tcp')), 'SERVFAIL');
});

test('without forwarders (the default), names outside the domains are REFUSED', async (t) => {
  const { port } = await withForwarders(t, []);
  t.is(rcodeOf(await query(port, 'api.example.test', 'A')), 'REFUSED');
});
