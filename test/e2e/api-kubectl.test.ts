/**
 * The connection and discovery side of the Kubernetes-compatible API, driven by the real kubectl: HTTPS and plain
 * HTTP on the admin port, a kubeconfig from `edgeway kubeconfig`'s builder, discovery (`api-resources`), server-side
 * Tables (`get` with -A and -o wide), `explain` from OpenAPI v3; and the pure pieces (toTable, discovery documents)
 * as tables. Expected outputs are written from the columns the API server prints for the same objects.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { Agent as HttpAgent, get as httpGetRaw } from 'node:http';
import { request } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { loadAdminCa } from '../../src/admin/admin-certificate.ts';
import { AdminServer } from '../../src/admin/admin-server.ts';
import { discoveryReply } from '../../src/api/discovery/discovery-routes.ts';
import { openApiReply } from '../../src/api/openapi/openapi-routes.ts';
import { humanDuration } from '../../src/api/table/human-duration.ts';
import { toTable } from '../../src/api/table/to-table.ts';
import { secretManifest } from '../../src/cli/certs.ts';
import { kubeconfigYaml, NO_TOKEN, serverUrl } from '../../src/cli/kubeconfig.ts';
import { issueLeaf, loadOrCreateCa } from '../../src/tls/local-ca.ts';
import { kindEntryOf } from '../../src/k8s/kinds.ts';
import type { KubeObject } from '../../src/k8s/types.ts';
import { startEdgeway, tempDir, type Running } from '../helpers/edgeway.ts';
import { settings } from '../helpers/manifests.ts';

const CREATED = '2026-01-01T00:00:00Z';

const MANIFESTS = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default, creationTimestamp: "${CREATED}"}
spec:
  selector: {tier: front, app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: default, creationTimestamp: "${CREATED}"}
subsets: [{addresses: [{ip: 127.0.0.1}, {ip: 127.0.0.2}], ports: [{name: http, port: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop, creationTimestamp: "${CREATED}"}
spec:
  type: ClusterIP
  clusterIP: None
  selector: {app: api}
  ports: [{port: 9000, protocol: UDP}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default, creationTimestamp: "${CREATED}"}
spec:
  rules:
    - host: a.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
    - http: {paths: [{path: /b, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
`;

interface Kubectl {
  readonly running: Running;
  readonly run: (...args: string[]) => Promise<string>;
}

async function withKubectl(t: import('ava').ExecutionContext): Promise<Kubectl> {
  const running = await startEdgeway(t, MANIFESTS);
  const ca = await loadAdminCa(join(running.dir, 'state'));
  const file = join(running.dir, 'kubeconfig');
  await writeFile(file, kubeconfigYaml({ server: serverUrl('127.0.0.1', running.edgeway.adminPort), caPem: ca.certPem, token: null }));
  const run = (...args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('kubectl', ['--kubeconfig', file, '--cache-dir', join(running.dir, 'kube-cache'), ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
        err === null ? resolve(stdout) : reject(new Error(`kubectl ${args.join(' ')}: ${err.message}\n${stderr}`)),
      );
    });
  return { running, run };
}

/** Ages change with the clock: compare them as a pattern. */
const ages = (text: string): string => text.replace(/\b\d+[smhdy]\w*\b/g, '<age>');

test('the admin port answers plain HTTP and HTTPS with a certificate from the state dir CA', async (t) => {
  const running = await startEdgeway(t, MANIFESTS);
  const plain = await fetch(`${running.adminUrl}/healthz`);
  t.is(await plain.text(), 'ok\n');
  const ca = await loadAdminCa(join(running.dir, 'state'));
  t.like(JSON.parse(await versionOverTls(running.edgeway.adminPort, ca.certPem)), { major: '1', minor: '32' });
  t.like(JSON.parse(await versionOverTls(running.edgeway.adminPort, ca.certPem, 'localhost')), { major: '1', minor: '32' });
  // Plain HTTP still works on the same port after TLS connections.
  t.is(await (await fetch(`${running.adminUrl}/readyz`)).text(), 'ready\n');
});

/** GET /version over TLS, trusting `caPem` only; resolves with the body. */
function versionOverTls(port: number, caPem: string, servername?: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', ...(servername === undefined ? {} : { servername }), port, path: '/version', ca: caPem, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

test('an admin listener without a certificate closes TLS connections and keeps answering plain HTTP', async (t) => {
  const admin = new AdminServer(
    () => {
      throw new Error('not asked for /version');
    },
    { reload: () => Promise.reject(new Error('no reload here')) },
  );
  const port = await admin.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => admin.close());
  await t.throwsAsync(versionOverTls(port, 'no CA'));
  // A client that connects and resets before saying anything leaves the listener serving.
  await new Promise<void>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.resetAndDestroy());
    socket.on('close', () => resolve());
  });
  t.like(await (await fetch(`http://127.0.0.1:${port}/version`)).json(), { major: '1' });
  // close() ends kept-alive connections too, rather than waiting for the client to hang up.
  const agent = new HttpAgent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  await new Promise<void>((resolve, reject) =>
    httpGetRaw({ host: '127.0.0.1', port, path: '/version', agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
  );
  await admin.close();
});

test('spec.admin.certificate serves a TLS Secret; while it is missing, the local CA certificate', async (t) => {
  const dir = await tempDir(t);
  const other = await loadOrCreateCa(join(dir, 'other-ca'));
  const leaf = issueLeaf(other, { hosts: ['127.0.0.1', 'localhost'], days: 30, key: 'ecdsa' });
  const secret = secretManifest('admin-tls', 'default', leaf.certPem, leaf.keyPem);
  const running = await startEdgeway(t, settings('admin:\n  address: 127.0.0.1:0\n  certificate: {name: admin-tls}') + '---\n' + secret, { dir });
  t.like(JSON.parse(await versionOverTls(running.edgeway.adminPort, other.certPem)), { major: '1' });
  await t.throwsAsync(versionOverTls(running.edgeway.adminPort, (await loadAdminCa(join(dir, 'state'))).certPem));

  const missing = await startEdgeway(t, settings('admin:\n  address: 127.0.0.1:0\n  certificate: {name: nowhere}'));
  t.like(JSON.parse(await versionOverTls(missing.edgeway.adminPort, (await loadAdminCa(join(missing.dir, 'state'))).certPem)), { major: '1' });
});

test('kubectl api-resources lists every served kind from aggregated discovery', async (t) => {
  const { run } = await withKubectl(t);
  t.is(
    await run('api-resources'),
    `NAME             SHORTNAMES   APIVERSION             NAMESPACED   KIND
configmaps       cm           v1                     true         ConfigMap
endpoints        ep           v1                     true         Endpoints
events           ev           v1                     true         Event
namespaces       ns           v1                     false        Namespace
nodes            no           v1                     false        Node
pods             po           v1                     true         Pod
secrets                       v1                     true         Secret
services         svc          v1                     true         Service
deployments      deploy       apps/v1                true         Deployment
endpointslices   epslice      discovery.k8s.io/v1    true         EndpointSlice
ipaddresspools                metallb.io/v1beta1     true         IPAddressPool
ingressclasses   ingclass     networking.k8s.io/v1   false        IngressClass
ingresses        ing          networking.k8s.io/v1   true         Ingress
`,
  );
  t.is(await run('api-resources', '--categories', 'all', '-o', 'name'), 'pods\nservices\ndeployments.apps\n');
});

test('kubectl get prints the API server columns from server-side Tables', async (t) => {
  const { run } = await withKubectl(t);
  t.is(
    ages(await run('get', 'svc,ep,ing', '-A')),
    `NAMESPACE   NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)    AGE
default     service/kubernetes   ClusterIP   127.96.0.1   <none>        443/TCP    <age>
default     service/web          ClusterIP   WEB-IP       <none>        80/TCP     <age>
shop        service/api          ClusterIP   None         <none>        9000/UDP   <age>

NAMESPACE   NAME            ENDPOINTS                       AGE
default     endpoints/web   127.0.0.1:8080,127.0.0.2:8080   <age>
shop        endpoints/api   <none>                          <age>

NAMESPACE   NAME                            CLASS    HOSTS           ADDRESS   PORTS   AGE
default     ingress.networking.k8s.io/web   <none>   a.example.com             80      <age>
`.replace('WEB-IP    ', ((await run('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')) || '<none>').padEnd(10)),
  );
  t.regex(
    await run('get', 'svc', '-o', 'wide'),
    /^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE +SELECTOR\nkubernetes +ClusterIP +\S+ +<none> +443\/TCP +\d+\w +<none>\nweb +ClusterIP +\S+ +<none> +80\/TCP +\d+d +app=web,tier=front\n$/,
  );
  t.is(await run('get', 'svc', 'web', '-n', 'default', '-o', 'name'), 'service/web\n');
});

test('kubectl explain answers from OpenAPI v3', async (t) => {
  const { run } = await withKubectl(t);
  const text = await run('explain', 'service.spec.ports');
  t.regex(text, /KIND: +Service\nVERSION: +v1\n\nFIELD: ports <\[\]ServicePort>/);
  for (const field of ['appProtocol', 'name', 'nodePort', 'port', 'protocol', 'targetPort']) t.regex(text, new RegExp(`\\n  ${field}\\t<`), field);
  t.regex(await run('explain', 'ingress.spec.rules.host'), /FIELD: host <string>/);
});

test('toTable: column definitions, cells, rows with metadata or the object, and the continue token', (t) => {
  const entry = kindEntryOf('Service')!;
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: CREATED },
    spec: { type: 'NodePort', clusterIP: '10.0.0.1', ports: [{ port: 80, nodePort: 30080 }] },
  } as KubeObject;
  const table = toTable(entry, [svc], {
    wide: false,
    includeObject: 'Metadata',
    resourceVersion: '7',
    continueToken: 'abc',
    now: new Date('2026-01-03T04:00:00Z'),
  });
  t.like(table, { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '7', continue: 'abc' } });
  const defs = table['columnDefinitions'] as { name: string; type: string; format: string; priority: number }[];
  t.deepEqual(
    defs.map((d) => [d.name, d.type, d.priority]),
    [
      ['Name', 'string', 0],
      ['Type', 'string', 0],
      ['Cluster-IP', 'string', 0],
      ['External-IP', 'string', 0],
      ['Port(s)', 'string', 0],
      ['Age', 'string', 0],
      ['Selector', 'string', 1],
    ],
  );
  t.is(defs[0]!.format, 'name');
  const rows = table['rows'] as { cells: unknown[]; object?: unknown }[];
  t.deepEqual(rows[0]!.cells, ['web', 'NodePort', '10.0.0.1', '<none>', '80:30080/TCP', '2d4h', '<none>']);
  t.deepEqual(rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: svc.metadata });
  t.is((toTable(entry, [svc], { wide: true, includeObject: 'Object', resourceVersion: '7' })['rows'] as { object: unknown }[])[0]!.object, svc);
  t.false('object' in (toTable(entry, [svc], { wide: true, includeObject: 'None', resourceVersion: '7' })['rows'] as object[])[0]!);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '2' } } as KubeObject;
  t.deepEqual(
    (toTable(kindEntryOf('ConfigMap')!, [cm], { wide: false, includeObject: 'None', resourceVersion: '1' })['rows'] as { cells: unknown[] }[])[0]!.cells,
    ['c', 2, '<unknown>'],
  );
  t.deepEqual(
    [5_000, 125_000, 600_000, 3 * 3600_000 + 60_000, 9 * 3600_000, 50 * 3600_000, 400 * 86_400_000, 3 * 365 * 86_400_000 + 86_400_000].map(humanDuration),
    ['5s', '2m5s', '10m', '3h1m', '9h', '2d2h', '400d', '3y1d'],
  );
});

test('discovery: legacy documents, the aggregated v2 form on request, and unknown paths left to the object API', (t) => {
  t.like(JSON.parse(discoveryReply('/api', 'application/json', 'h:1')!.body), { kind: 'APIVersions', versions: ['v1'] });
  const aggregated = discoveryReply('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json', 'h:1')!;
  t.is(aggregated.contentType, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const list = JSON.parse(aggregated.body) as { items: { metadata: { name: string } }[] };
  t.deepEqual(
    list.items.map((i) => i.metadata.name),
    ['networking.k8s.io', 'discovery.k8s.io', 'apps', 'metallb.io'],
  );
  const core = JSON.parse(discoveryReply('/api/v1', undefined, '')!.body) as {
    resources: { name: string; singularName: string; shortNames?: string[]; verbs: string[] }[];
  };
  t.like(
    core.resources.find((r) => r.name === 'services'),
    { singularName: 'service', shortNames: ['svc'] },
  );
  t.true(core.resources.every((r) => r.verbs.includes('watch') && r.verbs.includes('patch')));
  t.like(JSON.parse(discoveryReply('/apis/networking.k8s.io', undefined, '')!.body), {
    kind: 'APIGroup',
    preferredVersion: { groupVersion: 'networking.k8s.io/v1' },
  });
  t.is(discoveryReply('/api/v1/services', undefined, ''), null);
  t.is(discoveryReply('/apis/example.com/v1', undefined, ''), null);
});

test('OpenAPI: the v3 index points at each group version with a hash; v2 is JSON only', (t) => {
  const index = JSON.parse(openApiReply('/openapi/v3', undefined)!.body) as { paths: Record<string, { serverRelativeURL: string }> };
  t.deepEqual(Object.keys(index.paths).sort(), ['api/v1', 'apis/apps/v1', 'apis/discovery.k8s.io/v1', 'apis/metallb.io/v1beta1', 'apis/networking.k8s.io/v1']);
  t.regex(index.paths['api/v1']!.serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{64}$/);
  const v1 = JSON.parse(openApiReply('/openapi/v3/api/v1', undefined)!.body) as { components: { schemas: Record<string, Record<string, unknown>> } };
  t.deepEqual(v1.components.schemas['io.k8s.api.core.v1.Service']!['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Service' }]);
  t.is(openApiReply('/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf')!.status, 406);
  t.like(JSON.parse(openApiReply('/openapi/v2', 'application/json')!.body), { swagger: '2.0' });
  t.is(openApiReply('/openapi/v3/apis/example.com/v1', undefined), null);
});

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

function bin(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
    );
  });
}

test('edgeway kubeconfig (the bin) prints what kubectl uses as is: token, the state dir CA, context edgeway', async (t) => {
  const token = 'kubeconfig-token-0123456789';
  const running = await startEdgeway(t, settings(`admin:\n  address: 127.0.0.1:0\n  token: ${token}`) + '---' + MANIFESTS);
  const stateDir = join(running.dir, 'state');
  const printed = await bin([
    'kubeconfig',
    '--config',
    join(running.dir, 'config.yaml'),
    '--state-dir',
    stateDir,
    '--admin',
    `127.0.0.1:${running.edgeway.adminPort}`,
  ]);
  t.is(printed.code, 0, printed.stderr);
  t.true(printed.stdout.includes(`token: ${token}`));
  t.true(printed.stdout.includes(`server: https://127.0.0.1:${running.edgeway.adminPort}`));
  t.true(printed.stdout.includes(`certificate-authority-data: ${Buffer.from((await loadAdminCa(stateDir)).certPem).toString('base64')}`));
  const file = join(running.dir, 'kubeconfig');
  await writeFile(file, printed.stdout);
  const kubectl = (...args: string[]): Promise<string> =>
    new Promise((resolve, reject) =>
      execFile('kubectl', ['--kubeconfig', file, '--cache-dir', join(running.dir, 'kube-cache'), ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
        err === null ? resolve(stdout) : reject(new Error(stderr)),
      ),
    );
  t.is(await kubectl('config', 'current-context'), 'edgeway\n');
  t.is(await kubectl('get', 'svc', '-A', '-o', 'name'), 'service/kubernetes\nservice/web\nservice/api\n');
  t.is((await bin(['kubeconfig', '--admin', 'nowhere'])).code, 2);
});

test('kubeconfig: server URL, CA data, the token or a placeholder, context edgeway', (t) => {
  t.is(serverUrl('0.0.0.0', 9901), 'https://127.0.0.1:9901');
  t.is(serverUrl('::', 9901), 'https://[::1]:9901');
  const yaml = kubeconfigYaml({ server: 'https://127.0.0.1:9901', caPem: 'PEM', token: 'secret-token' });
  t.true(yaml.includes(`certificate-authority-data: ${Buffer.from('PEM').toString('base64')}`));
  t.true(yaml.includes('token: secret-token'));
  t.true(yaml.includes('current-context: edgeway'));
  t.true(kubeconfigYaml({ server: 'https://h:1', caPem: 'PEM', token: null }).includes(`token: ${NO_TOKEN}`));
});
