/**
 * `edgeway get` against a running edgeway's admin API: the server-side Table printed exactly as kubectl prints it
 * (compared with the real kubectl's output for the same server), `<pending>` for a LoadBalancer Service whose pool
 * is exhausted, the allocated addresses for the others, and kubectl's errors.
 */
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadAdminCa } from '../../src/admin/admin-certificate.ts';
import { toTable } from '../../src/api/table/to-table.ts';
import { kubeconfigYaml, serverUrl } from '../../src/cli/kubeconfig.ts';
import { kindEntryOf } from '../../src/k8s/kinds.ts';
import type { KubeObject, Service } from '../../src/k8s/types.ts';
import { cellText, printTable, type Table } from '../../src/cli/kubectl/print-table.ts';
import { apiPath, resourceNamed } from '../../src/cli/kubectl/resource-names.ts';
import { addressSettings, loopbackBlock, serve, service } from '../fixtures/addresses-fixtures.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { docs } from '../helpers/manifests.ts';
import { unusedPort } from '../helpers/servers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('resource names resolve as kubectl does', (t) => {
  for (const [word, plural] of [
    ['svc', 'services'],
    ['service', 'services'],
    ['Service', 'services'],
    ['ing', 'ingresses'],
    ['ingress', 'ingresses'],
    ['endpoints', 'endpoints'],
    ['ep', 'endpoints'],
    ['po', 'pods'],
    ['epslice', 'endpointslices'],
    ['no', 'nodes'],
  ] as const) {
    t.is(resourceNamed(word)?.plural, plural, word);
  }
  t.is(resourceNamed('widgets'), undefined);
  t.is(apiPath(resourceNamed('svc')!, 'default', undefined), '/api/v1/namespaces/default/services');
  t.is(apiPath(resourceNamed('ing')!, undefined, undefined), '/apis/networking.k8s.io/v1/ingresses');
});

test('the Service table shows <pending>, <none>, NodePorts and ages', (t) => {
  const now = new Date('2026-01-01T12:00:00Z');
  const svc = (name: string, spec: Service['spec'], ips?: string[]): KubeObject =>
    ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'default', creationTimestamp: '2026-01-01T11:00:00Z' },
      spec,
      status: { loadBalancer: ips ? { ingress: ips.map((ip) => ({ ip })) } : {} },
    }) as KubeObject;
  const objects = [
    svc('lb', { type: 'LoadBalancer', clusterIP: '127.96.1.1', ports: [{ port: 80, nodePort: 30086, protocol: 'TCP' }] }, ['127.240.0.1']),
    svc('waiting', { type: 'LoadBalancer', clusterIP: '127.96.1.2', ports: [{ port: 80, nodePort: 30087 }] }),
    svc('plain', { clusterIP: '127.96.1.3', ports: [{ port: 8080 }] }),
  ];
  const table = toTable(kindEntryOf('Service')!, objects, { wide: true, includeObject: 'Metadata', resourceVersion: '1', now }) as unknown as Table;
  const text = printTable(table, { wide: false, withNamespace: false });
  const lines = text
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/\s{2,}/));
  t.deepEqual(lines[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  t.deepEqual(lines[1], ['lb', 'LoadBalancer', '127.96.1.1', '127.240.0.1', '80:30086/TCP', '60m']);
  t.deepEqual(lines[2], ['waiting', 'LoadBalancer', '127.96.1.2', '<pending>', '80:30087/TCP', '60m']);
  t.deepEqual(lines[3], ['plain', 'ClusterIP', '127.96.1.3', '<none>', '8080/TCP', '60m']);
  t.is(
    printTable(table, { wide: true, withNamespace: true }).split('\n')[0],
    'NAMESPACE   NAME      TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE   SELECTOR',
  );
  t.deepEqual([null, 'a\nb', 3, true].map(cellText), ['', 'a...', '3', 'true']);
});

test('edgeway get svc against a running edgeway: the Service beyond the pool is <pending>', async (t) => {
  const block = loopbackBlock();
  const port = await unusedPort();
  const yaml = docs(
    addressSettings({ pool: [`${block}.1/32`], nodes: [`${block}.100`] }),
    service({ name: 'first', type: 'LoadBalancer', ports: [{ port }], endpoints: [{ ip: '127.0.0.1', port: 9 }], created: '2026-01-01T00:00:00Z' }),
    service({ name: 'second', type: 'LoadBalancer', ports: [{ port }], endpoints: [{ ip: '127.0.0.1', port: 9 }], created: '2026-01-02T00:00:00Z' }),
  );
  const dir = await tempDir(t);
  const { edgeway } = await serve(t, dir, yaml);
  const admin = `127.0.0.1:${edgeway.adminPort}`;
  const got = await run(['get', 'svc', '--admin', admin]);
  t.is(got.code, 0, got.stderr);
  const rows = got.stdout
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/\s{2,}/));
  t.is(rows.find((r) => r[0] === 'first')?.[3], `${block}.1`);
  t.is(rows.find((r) => r[0] === 'second')?.[3], '<pending>');

  const one = await run(['get', 'service', 'first', '--admin', admin, '-o', 'json']);
  t.is(one.code, 0);
  t.is((JSON.parse(one.stdout) as Service).status?.loadBalancer?.ingress?.[0]?.ip, `${block}.1`);

  const missing = await run(['get', 'svc', 'nope', '--admin', admin]);
  t.is(missing.code, 1);
  t.is(missing.stderr, 'Error from server (NotFound): services "nope" not found\n');
  const unknown = await run(['get', 'widgets', '--admin', admin]);
  t.is(unknown.code, 1);
  t.is(unknown.stderr, 'error: the server doesn\'t have a resource type "widgets"\n');

  // Byte for byte what the real kubectl prints for the same server (ages masked: a second may pass between).
  const ca = await loadAdminCa(join(dir, 'state'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigYaml({ server: serverUrl('127.0.0.1', edgeway.adminPort), caPem: ca.certPem, token: null }));
  const kubectl = (args: readonly string[]): Promise<{ stdout: string; stderr: string }> =>
    new Promise((resolve) =>
      execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kube-cache'), ...args], { timeout: 60_000 }, (_err, stdout, stderr) =>
        resolve({ stdout, stderr }),
      ),
    );
  const masked = (text: string): string => text.replace(/\b\d+(s|m\d*s?|h\d*m?|d\d*h?|y\d*d?)\b/g, '<age>');
  for (const args of [
    ['get', 'svc'],
    ['get', 'svc', '-o', 'wide'],
    ['get', 'svc', '-A'],
    ['get', 'svc', 'first'],
    ['get', 'svc', '-o', 'name'],
    ['get', 'ns'],
    ['get', 'no', '-o', 'wide'],
    ['get', 'po'],
    ['get', 'svc', 'first', '-o', 'json'],
    ['get', 'ep', '-A', '-o', 'yaml'],
    ['get', 'svc,ep'],
    ['get', 'no,svc', '-A'],
    ['get', 'svc,no', '-A', '-o', 'wide'],
    ['get', 'ep,svc', '-o', 'name'],
    ['get', 'svc,ep', '-o', 'json'],
    ['get', 'po,ns'],
    ['get', 'ingclass,po'],
    ['get', 'po,ep'],
    ['get', 'po', '-A'],
  ]) {
    const ours = await run([...args, '--admin', admin]);
    const theirs = await kubectl(args);
    t.is(masked(ours.stdout), masked(theirs.stdout), args.join(' '));
    t.is(ours.stderr, theirs.stderr, args.join(' '));
  }
});
