/**
 * `edgeway env`: the kubelet's Service variables as a table (named ports, several ports, UDP, IPv6, headless and
 * ExternalName left out), then through the real bin for a namespace.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serviceEnv } from '../../src/discovery/service-env.ts';
import type { Service } from '../../src/k8s/types.ts';
import { tempDir } from '../helpers/edgeway.ts';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

function svc(name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec };
}

test('kubelet variables for a Service with a named port and a second UDP port', (t) => {
  const env = serviceEnv([
    svc('redis-primary', {
      clusterIP: '10.0.0.11',
      ports: [
        { name: 'redis', port: 6379 },
        { name: 'metrics-udp', port: 9121, protocol: 'UDP' },
      ],
    }),
  ]);
  t.deepEqual(env, [
    ['REDIS_PRIMARY_SERVICE_HOST', '10.0.0.11'],
    ['REDIS_PRIMARY_SERVICE_PORT', '6379'],
    ['REDIS_PRIMARY_SERVICE_PORT_REDIS', '6379'],
    ['REDIS_PRIMARY_SERVICE_PORT_METRICS_UDP', '9121'],
    ['REDIS_PRIMARY_PORT', 'tcp://10.0.0.11:6379'],
    ['REDIS_PRIMARY_PORT_6379_TCP', 'tcp://10.0.0.11:6379'],
    ['REDIS_PRIMARY_PORT_6379_TCP_PROTO', 'tcp'],
    ['REDIS_PRIMARY_PORT_6379_TCP_PORT', '6379'],
    ['REDIS_PRIMARY_PORT_6379_TCP_ADDR', '10.0.0.11'],
    ['REDIS_PRIMARY_PORT_9121_UDP', 'udp://10.0.0.11:9121'],
    ['REDIS_PRIMARY_PORT_9121_UDP_PROTO', 'udp'],
    ['REDIS_PRIMARY_PORT_9121_UDP_PORT', '9121'],
    ['REDIS_PRIMARY_PORT_9121_UDP_ADDR', '10.0.0.11'],
  ]);
});

test('IPv6 addresses are bracketed; headless, ExternalName and IP-less Services are left out; sorted by name', (t) => {
  const env = serviceEnv([
    svc('zeta', { clusterIP: 'fd00::1', ports: [{ port: 80 }] }),
    svc('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
    svc('ext', { type: 'ExternalName', externalName: 'example.com' }),
    svc('pending', { ports: [{ port: 80 }] }),
    svc('alpha', { clusterIP: '10.0.0.1', ports: [{ port: 53, protocol: 'UDP' }] }),
  ]);
  t.deepEqual(
    env.map(([n]) => n.split('_')[0]).filter((v, i, a) => a.indexOf(v) === i),
    ['ALPHA', 'ZETA'],
  );
  t.true(env.some(([n, v]) => n === 'ZETA_PORT' && v === 'tcp://[fd00::1]:80'));
  t.true(env.some(([n, v]) => n === 'ALPHA_PORT_53_UDP_ADDR' && v === '10.0.0.1'));
});

test('edgeway env prints NAME=value lines for the Services of a namespace', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'c.yaml');
  await writeFile(
    file,
    `apiVersion: v1
kind: Service
metadata: {name: web-api, namespace: shop}
spec:
  clusterIP: 10.96.0.20
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: default}
spec:
  clusterIP: 10.96.0.21
  ports: [{port: 80}]
`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'env', '--config', file, '--namespace', 'shop']);
  t.is(
    stdout,
    [
      // default/kubernetes, as the kubelet gives every pod (edgeway's built-in Service for its admin API).
      'KUBERNETES_SERVICE_HOST=127.96.0.1',
      'KUBERNETES_SERVICE_PORT=443',
      'KUBERNETES_SERVICE_PORT_HTTPS=443',
      'KUBERNETES_PORT=tcp://127.96.0.1:443',
      'KUBERNETES_PORT_443_TCP=tcp://127.96.0.1:443',
      'KUBERNETES_PORT_443_TCP_PROTO=tcp',
      'KUBERNETES_PORT_443_TCP_PORT=443',
      'KUBERNETES_PORT_443_TCP_ADDR=127.96.0.1',
      'WEB_API_SERVICE_HOST=10.96.0.20',
      'WEB_API_SERVICE_PORT=8080',
      'WEB_API_SERVICE_PORT_HTTP=8080',
      'WEB_API_PORT=tcp://10.96.0.20:8080',
      'WEB_API_PORT_8080_TCP=tcp://10.96.0.20:8080',
      'WEB_API_PORT_8080_TCP_PROTO=tcp',
      'WEB_API_PORT_8080_TCP_PORT=8080',
      'WEB_API_PORT_8080_TCP_ADDR=10.96.0.20',
      '',
    ].join('\n'),
  );
});

test('the bin prints the ClusterIPs edgeway serve holds: read from the state dir, API-created Services included', async (t) => {
  const { startEdgeway } = await import('../helpers/edgeway.ts');
  const { docs, settings } = await import('../helpers/manifests.ts');
  const service = (name: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {ports: [{port: 80}]}
`;
  const config = (names: readonly string[]) => docs(settings('admin: {token: env-test-token-0123456789}\nreload: {watch: false}'), ...names.map(service));
  const gw = await startEdgeway(t, config(['web', 'zeta']));
  // One Service created through the API, as kubectl would.
  const created = await fetch(`${gw.adminUrl}/api/v1/namespaces/default/services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer env-test-token-0123456789' },
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'default' }, spec: { ports: [{ port: 8080 }] } }),
  });
  t.is(created.status, 201);
  const served = new Map<string, string>();
  for (const name of ['web', 'zeta', 'api']) {
    const body = (await (await fetch(`${gw.adminUrl}/api/v1/namespaces/default/services/${name}`)).json()) as Service;
    served.set(name, body.spec.clusterIP ?? '');
  }
  await gw.edgeway.close(0);
  // A Service that sorts first now: allocating from scratch would hand it web's address.
  const file = join(gw.dir, 'config.yaml');
  await writeFile(file, config(['aaa', 'web', 'zeta']));
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'env', '--config', file, '--state-dir', join(gw.dir, 'state')]);
  const host = (name: string) => stdout.match(new RegExp(`^${name}_SERVICE_HOST=(.*)$`, 'm'))?.[1];
  for (const [name, ip] of served) t.is(host(name.toUpperCase()), ip, `${name} keeps ${ip}`);
  t.truthy(host('AAA'), 'the new Service gets an address too');
  t.false([...served.values()].includes(host('AAA') ?? ''), 'and not one that belongs to another Service');
});
