/**
 * The cluster DNS server through Node's own resolver (c-ares) pointed at it: A for a ClusterIP Service, A for the
 * ready endpoints of a headless one, AAAA, SRV for a named port, CNAME for ExternalName, NXDOMAIN inside the
 * domain, REFUSED outside it; answers that follow a reload; TCP; malformed packets dropped without harm.
 */
import test from 'ava';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { startEdgeway } from '../helpers/edgeway.ts';
import { docs, settings } from '../helpers/manifests.ts';

const objects = (webIp: string) =>
  docs(
    settings('reload: {watch: false}\ndns: {address: "127.0.0.1:0", ttl: 7}'),
    `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: ${webIp}
  ports: [{name: http, port: 80, targetPort: 8080}]
`,
    `apiVersion: v1
kind: Service
metadata: {name: v6, namespace: shop}
spec:
  clusterIP: fd00::10
  ports: [{port: 80}]
`,
    `apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  ports: [{name: pg, port: 5432}]
`,
    `apiVersion: v1
kind: Endpoints
metadata: {name: db, namespace: shop}
subsets:
  - addresses: [{ip: 10.1.0.1}, {ip: 10.1.0.2, hostname: db-0}]
    notReadyAddresses: [{ip: 10.1.0.3}]
    ports: [{name: pg, port: 5432}]
`,
    `apiVersion: v1
kind: Service
metadata: {name: ext, namespace: shop}
spec:
  type: ExternalName
  externalName: example.org
`,
  );

async function setup(t: Parameters<typeof startEdgeway>[0]) {
  const gw = await startEdgeway(t, objects('10.96.0.10'));
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${gw.edgeway.dnsPort}`]);
  return { gw, resolver };
}

test('A, AAAA, headless, SRV, CNAME, NXDOMAIN and REFUSED through dns.Resolver', async (t) => {
  const { resolver } = await setup(t);
  t.deepEqual(await resolver.resolve4('web.shop.svc.cluster.local'), ['10.96.0.10']);
  t.deepEqual(await resolver.resolve4('web.shop.svc.cluster.local', { ttl: true }), [{ address: '10.96.0.10', ttl: 7 }]);
  t.deepEqual(await resolver.resolve6('v6.shop.svc.cluster.local'), ['fd00::10']);
  t.deepEqual((await resolver.resolve4('db.shop.svc.cluster.local')).sort(), ['10.1.0.1', '10.1.0.2'], 'ready endpoints only');
  t.deepEqual(await resolver.resolve4('db-0.db.shop.svc.cluster.local'), ['10.1.0.2']);
  t.deepEqual(await resolver.resolve4('10-1-0-1.db.shop.svc.cluster.local'), ['10.1.0.1']);

  t.like((await resolver.resolveSrv('_http._tcp.web.shop.svc.cluster.local'))[0], { name: 'web.shop.svc.cluster.local', port: 80, priority: 0, weight: 100 });
  t.is((await resolver.resolveSrv('_http._tcp.web.shop.svc.cluster.local')).length, 1);
  const headlessSrv = (await resolver.resolveSrv('_pg._tcp.db.shop.svc.cluster.local')).map((r) => `${r.name}:${r.port}`).sort();
  t.deepEqual(headlessSrv, ['10-1-0-1.db.shop.svc.cluster.local:5432', 'db-0.db.shop.svc.cluster.local:5432']);

  t.deepEqual(await resolver.resolveCname('ext.shop.svc.cluster.local'), ['example.org']);

  for (const name of ['nope.shop.svc.cluster.local', '_nope._tcp.web.shop.svc.cluster.local', 'web.other.svc.cluster.local', 'x.cluster.local']) {
    const err = await t.throwsAsync(resolver.resolve4(name));
    t.is((err as NodeJS.ErrnoException).code, 'ENOTFOUND', name);
  }
  const refused = await t.throwsAsync(resolver.resolve4('example.com'));
  t.is((refused as NodeJS.ErrnoException).code, 'EREFUSED');
  // A name that exists with no record of the asked type: NOERROR without answers.
  const nodata = await t.throwsAsync(resolver.resolve6('web.shop.svc.cluster.local'));
  t.is((nodata as NodeJS.ErrnoException).code, 'ENODATA');
});

test('answers follow reloads; TCP works; malformed packets are dropped without harm', async (t) => {
  const { gw, resolver } = await setup(t);
  const port = gw.edgeway.dnsPort;

  // Garbage over UDP: no answer, no crash.
  const udp = createSocket('udp4');
  t.teardown(() => udp.close());
  let replies = 0;
  udp.on('message', () => replies++);
  await new Promise<void>((resolve) => udp.send(Buffer.from([1, 2, 3, 4, 5]), port, '127.0.0.1', () => resolve()));
  await new Promise<void>((resolve) => udp.send(Buffer.alloc(12, 0xff), port, '127.0.0.1', () => resolve()));
  t.deepEqual(await resolver.resolve4('web.shop.svc.cluster.local'), ['10.96.0.10']);
  t.is(replies, 0);

  await writeFile(join(gw.dir, 'config.yaml'), objects('10.96.0.99'));
  t.true((await gw.edgeway.reload('api')).ok);
  t.deepEqual(await resolver.resolve4('web.shop.svc.cluster.local'), ['10.96.0.99']);

  // The same question over TCP, framed with its two-byte length.
  const query = dnsPacket.encode({ type: 'query', id: 42, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'web.shop.svc.cluster.local' }] });
  const framed = Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query]);
  const response = await new Promise<Buffer>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(framed));
    let got = Buffer.alloc(0);
    s.on('data', (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        s.destroy();
        resolve(got.subarray(2));
      }
    });
    s.on('error', reject);
  });
  const decoded = dnsPacket.decode(response);
  t.is(decoded.id, 42);
  t.is(decoded.flags! & 0xf, 0, 'NOERROR');
  t.true(decoded.flag_aa);
  t.deepEqual(
    decoded.answers?.map((a) => (a.type === 'A' ? a.data : null)),
    ['10.96.0.99'],
  );
});

/** One question over UDP, the decoded reply. */
async function askUdp(t: Parameters<typeof startEdgeway>[0], port: number, name: string, type: 'A' | 'PTR') {
  const query = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
  const socket = createSocket('udp4');
  t.teardown(() => socket.close());
  const reply = new Promise<Buffer>((resolve) => socket.once('message', resolve));
  socket.send(query, port, '127.0.0.1');
  return dnsPacket.decode(await reply);
}

/** Objects for the specification's other records: PTR, dns-version, pod names, in-cluster ExternalName targets. */
const specObjects = docs(
  settings('reload: {watch: false}\ndns: {address: "127.0.0.1:0", ttl: 7}'),
  `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {clusterIP: 10.96.0.10, ports: [{name: http, port: 80}]}
`,
  `apiVersion: v1
kind: Service
metadata: {name: v6, namespace: shop}
spec: {clusterIP: fd00::10, ports: [{port: 80}]}
`,
  `apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {clusterIP: None, ports: [{name: pg, port: 5432}]}
`,
  `apiVersion: v1
kind: Endpoints
metadata: {name: db, namespace: shop}
subsets:
  - addresses: [{ip: 10.1.0.2, hostname: db-0}]
    notReadyAddresses: [{ip: 10.1.0.3}]
    ports: [{name: pg, port: 5432}]
`,
  `apiVersion: v1
kind: Service
metadata: {name: empty, namespace: shop}
spec: {clusterIP: None, ports: [{port: 80}]}
`,
  `apiVersion: v1
kind: Service
metadata: {name: alias, namespace: shop}
spec: {type: ExternalName, externalName: web.shop.svc.cluster.local}
`,
  `apiVersion: v1
kind: Service
metadata: {name: short, namespace: shop}
spec: {type: ExternalName, externalName: web}
`,
  `apiVersion: v1
kind: Service
metadata: {name: loop, namespace: shop}
spec: {type: ExternalName, externalName: loop}
`,
);

test('PTR for ClusterIPs and ready headless endpoints, dns-version, pod records, NXDOMAIN for a headless Service without ready endpoints', async (t) => {
  const gw = await startEdgeway(t, specObjects);
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${gw.edgeway.dnsPort}`]);
  t.deepEqual(await resolver.reverse('10.96.0.10'), ['web.shop.svc.cluster.local']);
  t.deepEqual(await resolver.reverse('fd00::10'), ['v6.shop.svc.cluster.local']);
  t.deepEqual(await resolver.reverse('10.1.0.2'), ['db-0.db.shop.svc.cluster.local']);
  // Node's reverse() reports any failure as ENOTFOUND, so the rcode is read off the packet.
  for (const name of ['3.0.1.10.in-addr.arpa', '1.2.0.192.in-addr.arpa']) {
    const reply = await askUdp(t, gw.edgeway.dnsPort, name, 'PTR');
    t.is(reply.flags! & 0xf, 5, `${name}: REFUSED, not an address edgeway serves`);
  }
  t.deepEqual(await resolver.resolveTxt('dns-version.cluster.local'), [['1.1.0']]);
  t.deepEqual(await resolver.resolve4('10-1-0-9.shop.pod.cluster.local'), ['10.1.0.9']);
  const empty = await t.throwsAsync(resolver.resolve4('empty.shop.svc.cluster.local'));
  t.is((empty as NodeJS.ErrnoException).code, 'ENOTFOUND', 'headless without ready endpoints: NXDOMAIN');
});

test('an ExternalName naming a Service of the cluster is answered from edgeway records: CNAME then the address', async (t) => {
  const gw = await startEdgeway(t, specObjects);
  const ask = (name: string) => askUdp(t, gw.edgeway.dnsPort, name, 'A');
  for (const name of ['alias.shop.svc.cluster.local', 'short.shop.svc.cluster.local']) {
    const reply = await ask(name);
    t.deepEqual(
      reply.answers?.map((a) => `${a.type} ${a.name} ${String('data' in a ? a.data : '')}`),
      [`CNAME ${name} web.shop.svc.cluster.local`, 'A web.shop.svc.cluster.local 10.96.0.10'],
      name,
    );
  }
  const loop = await ask('loop.shop.svc.cluster.local');
  t.true((loop.answers?.length ?? 0) <= 9, 'a loop of ExternalNames ends');
});
