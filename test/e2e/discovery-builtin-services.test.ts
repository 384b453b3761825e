/**
 * The Services a cluster has for itself: `default/kubernetes` for edgeway's admin API and `kube-system/kube-dns` for
 * its DNS server, with the first and tenth addresses of the service CIDR. Checked as a pod would: the kubelet's
 * variables from `edgeway env`, DNS answers for their names, and the admin API reached through the ClusterIP.
 * A service CIDR of its own per test keeps the ClusterIP listeners apart from other edgeway instances.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Edgeway } from '../../src/edgeway.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, settings } from '../helpers/manifests.ts';
import { unusedPort, waitFor } from '../helpers/servers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

test('kubernetes and kube-dns: ClusterIPs .1 and .10, the kubelet variables, DNS names, and the admin API through the ClusterIP', async (t) => {
  const net = `127.${112 + randomInt(16)}.${randomInt(256)}`;
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  const adminPort = await unusedPort();
  await writeFile(
    file,
    docs(
      settings(`reload: {watch: false}\ndns: {address: "127.0.0.1:0"}\naddresses:\n  serviceCIDRs: ["${net}.0/24"]`),
      `apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  ports: [{port: 80}]\n`,
    ),
  );
  const edgeway = await Edgeway.start({
    configPaths: [file],
    overrides: { http: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: adminPort }, stateDir: join(dir, 'state'), logLevel: 'silent' },
    report: () => undefined,
  });
  t.teardown(() => edgeway.close(0));
  const services = edgeway.snapshot.addresses.services;
  t.deepEqual(services.get('default/kubernetes')?.clusterIPs, [`${net}.1`]);
  t.deepEqual(services.get('kube-system/kube-dns')?.clusterIPs, [`${net}.10`]);
  t.deepEqual(
    edgeway.snapshot.diagnostics.filter((d) => /kubernetes|kube-dns/.test(d.object ?? '')),
    [],
    'the built-in objects raise no warnings (kube-dns 53/UDP is documented as not served at the ClusterIP)',
  );

  // DNS, as a pod's resolver would ask.
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`127.0.0.1:${edgeway.dnsPort}`]);
  t.deepEqual(await resolver.resolve4('kubernetes.default.svc.cluster.local'), [`${net}.1`]);
  t.deepEqual(await resolver.resolve4('kube-dns.kube-system.svc.cluster.local'), [`${net}.10`]);

  // The admin API through KUBERNETES_SERVICE_HOST:443 (a TCP pass-through to the admin listener).
  await waitFor(
    async () => (await httpGet(`http://${net}.1:443/api/v1/namespaces`).catch(() => undefined))?.status === 200,
    10_000,
    'admin API on the ClusterIP',
  );
  const namespaces = JSON.parse((await httpGet(`http://${net}.1:443/api/v1/namespaces`)).text) as { items: { metadata: { name: string } }[] };
  t.true(namespaces.items.some((n) => n.metadata.name === 'kube-system'));

  // `edgeway env` reads the same state: the kubelet's variables in any namespace.
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'env', '--config', file, '--state-dir', join(dir, 'state'), '--namespace', 'shop']);
  const lines = stdout.trim().split('\n');
  t.deepEqual(
    lines.filter((l) => l.startsWith('KUBERNETES_')),
    [
      `KUBERNETES_SERVICE_HOST=${net}.1`,
      'KUBERNETES_SERVICE_PORT=443',
      'KUBERNETES_SERVICE_PORT_HTTPS=443',
      `KUBERNETES_PORT=tcp://${net}.1:443`,
      `KUBERNETES_PORT_443_TCP=tcp://${net}.1:443`,
      'KUBERNETES_PORT_443_TCP_PROTO=tcp',
      'KUBERNETES_PORT_443_TCP_PORT=443',
      `KUBERNETES_PORT_443_TCP_ADDR=${net}.1`,
    ],
  );
  t.true(lines.includes(`WEB_SERVICE_HOST=${services.get('shop/web')?.clusterIPs[0] ?? ''}`));
});

test('a kubernetes Service defined in a file stands instead of the built-in one', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'config.yaml');
  await writeFile(
    file,
    `apiVersion: v1\nkind: Service\nmetadata: {name: kubernetes, namespace: default}\nspec:\n  clusterIP: 10.96.0.5\n  ports: [{name: web, port: 8443}]\n`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'env', '--config', file, '--state-dir', join(dir, 'state')]);
  t.true(stdout.includes('KUBERNETES_SERVICE_HOST=10.96.0.5\n'));
  t.true(stdout.includes('KUBERNETES_SERVICE_PORT_WEB=8443\n'));
  t.false(stdout.includes('KUBERNETES_SERVICE_PORT_HTTPS'));
});
