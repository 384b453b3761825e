/**
 * The federation names, with three clusters on loopback: edgeway in zone a1 of region r1 (the local shard), cluster b
 * in b1/r1 and c in c1/r2, each publishing its Service's address. The zone name answers its zone's shard while that
 * is healthy, else a CNAME to the region's name, which falls back to the global name the same way; the in-cluster
 * name answers the local ClusterIP, else a CNAME to edgeway's own zone name. Shards are killed one at a time and the
 * answers follow the active health checks.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { docs, settings } from '../helpers/manifests.ts';
import { startEdgeway, tempDir } from '../helpers/edgeway.ts';
import { unusedPort } from '../helpers/servers.ts';
import { backend } from '../fixtures/resilience-fixtures.ts';
import { eventually, federatedService, HEALTH } from '../fixtures/federation-fixtures.ts';
import { answersOf, query, rcodeOf } from '../fixtures/discovery-fixtures.ts';

const NAME = 'app.default.myfed.svc';

test('zone → region → global by CNAME as shards die; in-cluster name; short TTL', async (t) => {
  const port = await unusedPort();
  const local = await backend(t, 'a1', '127.0.4.11');
  const b = await backend(t, 'b1', '127.0.5.11');
  const c = await backend(t, 'c1', '127.0.6.11');
  const dir = await tempDir(t);
  await writeFile(join(dir, 'b.yaml'), federatedService('app', port, [b], { annotations: HEALTH, publishedIP: '127.0.5.100' }));
  await writeFile(join(dir, 'c.yaml'), federatedService('app', port, [c], { annotations: HEALTH, publishedIP: '127.0.6.100' }));
  const running = await startEdgeway(
    t,
    docs(
      settings(`locality: {zone: a1, region: r1}
healthChecks: {failureThreshold: 1, timeout: 300ms}
dns: {address: "127.0.0.1:0", ttl: 3, federations: [{name: myfed, domain: example.com}]}
clusters:
  - {name: b, config: ["${join(dir, 'b.yaml')}"], zone: b1, region: r1}
  - {name: c, config: ["${join(dir, 'c.yaml')}"], zone: c1, region: r2}`),
      federatedService('app', port, [local], { annotations: HEALTH }),
    ),
  );
  const dns = running.edgeway.dnsPort;
  const clusterIP = running.edgeway.snapshot.addresses.listeners.find((l) => l.service === 'default/app' && l.source === 'clusterIP')!.address;
  const ask = async (name: string) => answersOf(await query(dns, name, 'A'));
  const answersBecome = (name: string, expected: unknown) =>
    eventually(`${name} answers ${JSON.stringify(expected)}`, async () => JSON.stringify(await ask(name)) === JSON.stringify(expected));

  // All healthy: each name its own shards; the global name every shard.
  const global = await ask(`${NAME}.example.com`);
  t.deepEqual(global.map((a) => a[2]).sort(), [clusterIP, '127.0.5.100', '127.0.6.100'].sort());
  t.deepEqual(await ask(`${NAME}.a1.r1.example.com`), [['A', `${NAME}.a1.r1.example.com`, clusterIP]]);
  t.deepEqual(await ask(`${NAME}.b1.r1.example.com`), [['A', `${NAME}.b1.r1.example.com`, '127.0.5.100']]);
  t.deepEqual((await ask(`${NAME}.r1.example.com`)).map((a) => a[2]).sort(), [clusterIP, '127.0.5.100'].sort());
  t.deepEqual(await ask(`${NAME}.cluster.local`), [['A', `${NAME}.cluster.local`, clusterIP]]);
  const ttl = ((await query(dns, `${NAME}.a1.r1.example.com`, 'A')).answers![0] as { ttl?: number }).ttl;
  t.is(ttl, 3);

  // The local shard dies: its zone name points at the region's, which answers b.
  await local.kill();
  await answersBecome(`${NAME}.a1.r1.example.com`, [
    ['CNAME', `${NAME}.a1.r1.example.com`, `${NAME}.r1.example.com`],
    ['A', `${NAME}.r1.example.com`, '127.0.5.100'],
  ]);
  t.deepEqual(await ask(`${NAME}.cluster.local`), [
    ['CNAME', `${NAME}.cluster.local`, `${NAME}.a1.r1.example.com`],
    ['CNAME', `${NAME}.a1.r1.example.com`, `${NAME}.r1.example.com`],
    ['A', `${NAME}.r1.example.com`, '127.0.5.100'],
  ]);

  // b dies too: region r1 has no healthy shard, so its name points at the global one, which answers c.
  await b.kill();
  await answersBecome(`${NAME}.r1.example.com`, [
    ['CNAME', `${NAME}.r1.example.com`, `${NAME}.example.com`],
    ['A', `${NAME}.example.com`, '127.0.6.100'],
  ]);
  t.deepEqual(await ask(`${NAME}.b1.r1.example.com`), [
    ['CNAME', `${NAME}.b1.r1.example.com`, `${NAME}.r1.example.com`],
    ['CNAME', `${NAME}.r1.example.com`, `${NAME}.example.com`],
    ['A', `${NAME}.example.com`, '127.0.6.100'],
  ]);

  // The local shard comes back: its names answer it again.
  await local.revive();
  await answersBecome(`${NAME}.a1.r1.example.com`, [['A', `${NAME}.a1.r1.example.com`, clusterIP]]);
  await answersBecome(`${NAME}.cluster.local`, [['A', `${NAME}.cluster.local`, clusterIP]]);
});

test('names in a federation domain that are no federated Service are NXDOMAIN', async (t) => {
  const running = await startEdgeway(
    t,
    docs(settings(`reload: {watch: false}\ndns: {address: "127.0.0.1:0", federations: [{name: myfed, domain: example.com}]}`)),
  );
  const dns = running.edgeway.dnsPort;
  t.is(rcodeOf(await query(dns, 'nope.default.myfed.svc.example.com', 'A')), 'NXDOMAIN');
  t.is(rcodeOf(await query(dns, 'x.default.otherfed.svc.example.com', 'A')), 'NXDOMAIN');
  t.is(rcodeOf(await query(dns, 'example.com', 'A')), 'NOERROR');
  t.is(rcodeOf(await query(dns, 'example.org', 'A')), 'REFUSED');
});
