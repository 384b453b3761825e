/**
 * The kubectl commands users run against a cluster, run with the real kubectl against edgeway over the kubeconfig
 * `edgeway kubeconfig` prints (HTTPS and the admin token): get of every served kind, describe, client-side and
 * server-side apply, edit, the three patch types, label, annotate, delete, server dry runs and get -w. Expected
 * outputs are written from what kubectl prints against a cluster holding the same objects (the API server's columns
 * and messages); ages change with the clock and are compared as `<age>`.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile, spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadAdminCa } from '../../src/admin/admin-certificate.ts';
import { kubeconfigYaml, serverUrl } from '../../src/cli/kubeconfig.ts';
import { startEdgeway, type Running } from '../helpers/edgeway.ts';
import { settings } from '../helpers/manifests.ts';

const TOKEN = 'kubectl-commands-token-0123456789';

const OBJECTS = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: edgeway, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
spec: {controller: edgeway.io/ingress-controller}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  tls: [{hosts: [a.example.com], secretName: a-tls}]
  rules:
  - host: a.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: default, labels: {app: web}}
spec: {nodeName: node-a, containers: [{name: web, image: nginx:1.27}]}
status:
  phase: Running
  podIP: 127.0.0.5
  conditions: [{type: Ready, status: "True"}]
  containerStatuses: [{name: web, ready: true, restartCount: 0, image: nginx, imageID: "", started: true, state: {running: {}}}]
---
apiVersion: v1
kind: Node
metadata: {name: node-a}
status:
  addresses: [{type: InternalIP, address: 127.0.0.9}]
  conditions: [{type: Ready, status: "True"}]
  nodeInfo: {kubeletVersion: v1.32.0, osImage: Linux, kernelVersion: "6.1", containerRuntimeVersion: "containerd://1.7"}
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: pool, namespace: default}
spec: {addresses: [127.240.0.0/28]}
`;

interface Kubectl {
  readonly running: Running;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly run: (...args: string[]) => Promise<string>;
  /** Runs kubectl expecting it to fail; resolves with its stderr. */
  readonly fails: (...args: string[]) => Promise<string>;
  readonly file: (name: string, text: string) => Promise<string>;
}

/** edgeway with a token, and kubectl over the kubeconfig the CLI prints (server, CA, token). */
async function withKubectl(t: ExecutionContext, objects = ''): Promise<Kubectl> {
  const running = await startEdgeway(t, settings(`admin:\n  address: 127.0.0.1:0\n  token: ${TOKEN}`));
  const dir = running.dir;
  const ca = await loadAdminCa(join(dir, 'state'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigYaml({ server: serverUrl('127.0.0.1', running.edgeway.adminPort), caPem: ca.certPem, token: TOKEN }));
  const exec = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ err: Error | null; stdout: string; stderr: string }> =>
    new Promise((resolve) =>
      execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kube-cache'), ...args],
        { timeout: 60_000, env: { ...process.env, ...env } },
        (err, stdout, stderr) => resolve({ err, stdout, stderr }),
      ),
    );
  const run = async (...args: string[]): Promise<string> => {
    const env = args[0]?.startsWith('KUBE_EDITOR=') === true ? { KUBE_EDITOR: args.shift()!.slice('KUBE_EDITOR='.length) } : {};
    const r = await exec(args, env);
    if (r.err !== null) throw new Error(`kubectl ${args.join(' ')}: ${r.err.message}\n${r.stderr}`);
    return r.stdout;
  };
  const fails = async (...args: string[]): Promise<string> => {
    const r = await exec(args);
    if (r.err === null) throw new Error(`kubectl ${args.join(' ')} succeeded: ${r.stdout}`);
    return r.stderr;
  };
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  if (objects !== '') await run('apply', '-f', await file('objects.yaml', objects));
  return { running, dir, kubeconfig, run, fails, file };
}

/** Ages change with the clock: compare them as a pattern. */
const ages = (text: string): string => text.replace(/\b\d+(s|m\d*s?|h\d*m?|d\d*h?|y\d*d?)\b/g, '<age>');

/** A table as kubectl prints one: each column as wide as its widest cell, three spaces apart. */
function kubectlTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]! + 3))).join('')).join('\n') + '\n';
}

/** The widths kubectl gives columns vary with the values: compare rows as their cells. */
const cells = (text: string): string[][] =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => l.trim().split(/ {2,}/));

test('kubectl get: every served kind, -A, -o wide and -o yaml', async (t) => {
  const { run } = await withKubectl(t, OBJECTS);
  const clusterIp = await run('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}');
  t.regex(clusterIp, /^\d+\.\d+\.\d+\.\d+$/);
  t.is(
    ages(await run('get', 'svc', 'web')),
    kubectlTable([
      ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
      ['web', 'ClusterIP', clusterIp, '<none>', '80/TCP', '<age>'],
    ]),
  );
  // The default namespace also holds the built-in kubernetes Service, as a cluster's does.
  const apiIp = await run('get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}');
  t.deepEqual(cells(ages(await run('get', 'svc', '-o', 'wide'))), [
    ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'],
    ['kubernetes', 'ClusterIP', apiIp, '<none>', '443/TCP', '<age>', '<none>'],
    ['web', 'ClusterIP', clusterIp, '<none>', '80/TCP', '<age>', 'app=web'],
  ]);
  t.deepEqual(cells(ages(await run('get', 'ns'))), [
    ['NAME', 'STATUS', 'AGE'],
    ['default', 'Active', '<age>'],
    ['kube-public', 'Active', '<age>'],
    ['kube-system', 'Active', '<age>'],
  ]);
  t.deepEqual(cells(ages(await run('get', 'po', '-o', 'wide'))), [
    ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
    ['web-1', '1/1', 'Running', '0', '<age>', '127.0.0.5', 'node-a', '<none>', '<none>'],
  ]);
  t.deepEqual(cells(ages(await run('get', 'no', '-o', 'wide'))), [
    ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
    ['node-a', 'Ready', '<none>', '<age>', 'v1.32.0', '127.0.0.9', '<none>', 'Linux', '6.1', 'containerd://1.7'],
  ]);
  const ingress = cells(ages(await run('get', 'ing')));
  t.deepEqual(ingress[0], ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
  t.like(ingress[1], { 0: 'web', 1: 'edgeway', 2: 'a.example.com', 4: '80, 443', 5: '<age>' });
  t.deepEqual(cells(ages(await run('get', 'ingclass'))), [
    ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'],
    ['edgeway', 'edgeway.io/ingress-controller', '<none>', '<age>'],
  ]);
  t.deepEqual(cells(ages(await run('get', 'deploy', '-o', 'wide'))), [
    ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    ['web', '0/2', '0', '0', '<age>', 'web', 'nginx:1.27', 'app=web'],
  ]);
  t.deepEqual(cells(await run('get', 'ipaddresspools', '-A')), [
    ['NAMESPACE', 'NAME', 'AUTO ASSIGN', 'AVOID BUGGY IPS', 'ADDRESSES'],
    ['default', 'pool', 'true', 'false', '["127.240.0.0/28"]'],
  ]);
  const all = cells(ages(await run('get', 'svc,ingclass', '-A')));
  t.deepEqual(all[0], ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  t.deepEqual(all[1], ['default', 'service/kubernetes', 'ClusterIP', apiIp, '<none>', '443/TCP', '<age>']);
  t.deepEqual(all[2], ['default', 'service/web', 'ClusterIP', clusterIp, '<none>', '80/TCP', '<age>']);
  t.deepEqual(all[4], ['NAMESPACE', 'NAME', 'CONTROLLER', 'PARAMETERS', 'AGE']);
  // A cluster-scoped kind under -A leaves NAMESPACE empty.
  t.deepEqual(all[5], ['ingressclass.networking.k8s.io/edgeway', 'edgeway.io/ingress-controller', '<none>', '<age>']);
  const yaml = await run('get', 'svc', 'web', '-o', 'yaml');
  t.regex(yaml, /^apiVersion: v1\nkind: Service\nmetadata:\n/);
  for (const line of ['  sessionAffinity: None', '  type: ClusterIP', '    protocol: TCP', '    targetPort: 8080', '  uid: ', '  resourceVersion: "'])
    t.true(yaml.includes(line), line);
  t.false(yaml.includes('managedFields'), 'kubectl hides managedFields unless asked');
});

test('kubectl describe svc and ing', async (t) => {
  const { run } = await withKubectl(t, OBJECTS);
  const clusterIp = await run('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}');
  // Endpoints: <none> without an Endpoints object, the pod's address once edgeway generates one.
  t.is(
    (await run('describe', 'svc', 'web')).replace(/^(Endpoints: +)(<none>|127\.0\.0\.5:8080)$/m, '$1<endpoints>'),
    `Name:                     web
Namespace:                default
Labels:                   app=web
Annotations:              <none>
Selector:                 app=web
Type:                     ClusterIP
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       ${clusterIp}
IPs:                      ${clusterIp}
Port:                     http  80/TCP
TargetPort:               8080/TCP
Endpoints:                <endpoints>
Session Affinity:         None
Internal Traffic Policy:  Cluster
Events:                   <none>
`,
  );
  const ing = await run('describe', 'ing', 'web');
  t.regex(
    ing,
    /^Name: +web\nLabels: +<none>\nNamespace: +default\nAddress: +\S*\nIngress Class: +edgeway\nDefault backend: +<default>\nTLS:\n {2}a-tls terminates a\.example\.com\nRules:\n {2}Host +Path +Backends\n {2}---- +---- +--------\n {2}a\.example\.com +\n +\/ +web:80 \(.*\)\n/,
  );
});

const SHOP = `apiVersion: v1
kind: Service
metadata:
  name: shop
  namespace: default
  labels: {app: shop, tier: web}
spec:
  selector: {app: shop}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: admin, port: 9000}
`;

test('kubectl apply -f (client side): created, then configured with a changed and a removed field', async (t) => {
  const { run, file } = await withKubectl(t);
  t.is(await run('apply', '-f', await file('shop.yaml', SHOP)), 'service/shop created\n');
  t.is(await run('apply', '-f', await file('shop.yaml', SHOP)), 'service/shop unchanged\n');
  const changed = SHOP.replace('targetPort: 8080', 'targetPort: 8081')
    .replace('tier: web', 'tier: back')
    .replace(/ {2}- \{name: admin.*\n/, '');
  t.is(await run('apply', '-f', await file('shop.yaml', changed)), 'service/shop configured\n');
  const live = JSON.parse(await run('get', 'svc', 'shop', '-o', 'json')) as {
    metadata: { labels: Record<string, string>; annotations: Record<string, string>; generation: number };
    spec: { ports: { name: string; port: number; targetPort: number }[] };
  };
  t.deepEqual(live.metadata.labels, { app: 'shop', tier: 'back' });
  t.deepEqual(
    live.spec.ports.map((p) => [p.name, p.port, p.targetPort]),
    [['http', 80, 8081]],
  );
  t.is(live.metadata.generation, 2);
  t.deepEqual(JSON.parse(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']!), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { annotations: {}, labels: { app: 'shop', tier: 'back' }, name: 'shop', namespace: 'default' },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8081 }], selector: { app: 'shop' } },
  });
});

test('kubectl apply --server-side: Apply managedFields, a conflict with another manager, --force-conflicts', async (t) => {
  const { run, fails, file } = await withKubectl(t);
  const mine = `apiVersion: v1
kind: Service
metadata: {name: ssa, namespace: default}
spec:
  selector: {app: ssa}
  ports: [{name: http, port: 80, targetPort: 8080}]
`;
  t.is(await run('apply', '--server-side', '-f', await file('ssa.yaml', mine)), 'service/ssa serverside-applied\n');
  const managers = (): Promise<{ manager: string; operation: string; fieldsV1: unknown }[]> =>
    run('get', 'svc', 'ssa', '-o', 'jsonpath={.metadata.managedFields}').then(
      (s) => JSON.parse(s) as { manager: string; operation: string; fieldsV1: unknown }[],
    );
  t.deepEqual(
    (await managers()).map((m) => [m.manager, m.operation]),
    [['kubectl', 'Apply']],
  );
  t.deepEqual((await managers())[0]!.fieldsV1, {
    'f:spec': { 'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:targetPort': {} } }, 'f:selector': {} },
  });
  const theirs = await file('other.yaml', mine.replace('targetPort: 8080', 'targetPort: 9090'));
  const refused = await fails('apply', '--server-side', '--field-manager', 'other', '-f', theirs);
  t.true(refused.startsWith('error: Apply failed with 1 conflict: conflict with "kubectl": .spec.ports[port=80,protocol="TCP"].targetPort\n'), refused);
  t.is(await run('get', 'svc', 'ssa', '-o', 'jsonpath={.spec.ports[0].targetPort}'), '8080');
  t.is(await run('apply', '--server-side', '--field-manager', 'other', '--force-conflicts', '-f', theirs), 'service/ssa serverside-applied\n');
  t.is(await run('get', 'svc', 'ssa', '-o', 'jsonpath={.spec.ports[0].targetPort}'), '9090');
  const after = await managers();
  t.deepEqual(
    after.map((m) => [m.manager, m.operation]),
    [
      ['kubectl', 'Apply'],
      ['other', 'Apply'],
    ],
  );
  t.false(JSON.stringify(after[0]!.fieldsV1).includes('targetPort'), 'the forced field moved to the other manager');
});

test('kubectl edit, patch (strategic, merge, json), label and annotate', async (t) => {
  const { run, fails, file, dir } = await withKubectl(t);
  await run('apply', '-f', await file('shop.yaml', SHOP));
  const editor = join(dir, 'editor.sh');
  await writeFile(editor, '#!/bin/sh\nsed -i "s/targetPort: 8080/targetPort: 7070/" "$1"\n');
  await chmod(editor, 0o755);
  t.is(await run(`KUBE_EDITOR=${editor}`, 'edit', 'svc', 'shop'), 'service/shop edited\n');
  t.is(await run('get', 'svc', 'shop', '-o', 'jsonpath={.spec.ports[0].targetPort}'), '7070');

  t.is(await run('patch', 'svc', 'shop', '-p', '{"spec":{"ports":[{"port":9000,"targetPort":9999}]}}'), 'service/shop patched\n');
  t.is(await run('get', 'svc', 'shop', '-o', 'jsonpath={.spec.ports[*].targetPort}'), '7070 9999', 'strategic: merged by port');
  t.is(await run('patch', 'svc', 'shop', '--type', 'merge', '-p', '{"spec":{"selector":{"app":"shop2"}}}'), 'service/shop patched\n');
  t.is(await run('get', 'svc', 'shop', '-o', 'jsonpath={.spec.selector}'), '{"app":"shop2"}');
  t.is(await run('patch', 'svc', 'shop', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/ports/1"}]'), 'service/shop patched\n');
  t.is(await run('get', 'svc', 'shop', '-o', 'jsonpath={.spec.ports[*].port}'), '80');
  t.is(await run('patch', 'svc', 'shop', '--type', 'merge', '-p', '{"spec":{"selector":{"app":"shop2"}}}'), 'service/shop patched (no change)\n');

  t.is(await run('label', 'svc', 'shop', 'env=prod'), 'service/shop labeled\n');
  t.is(await fails('label', 'svc', 'shop', 'env=dev'), "error: 'env' already has a value (prod), and --overwrite is false\n");
  t.is(await run('label', 'svc', 'shop', 'env=dev', '--overwrite'), 'service/shop labeled\n');
  t.is(await run('label', 'svc', 'shop', 'env-'), 'service/shop unlabeled\n');
  t.is(await run('annotate', 'svc', 'shop', 'note=hi'), 'service/shop annotated\n');
  t.is(
    await fails('annotate', 'svc', 'shop', 'note=ho'),
    "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (hi)\n",
  );
  t.is(await run('annotate', 'svc', 'shop', 'note=ho', '--overwrite'), 'service/shop annotated\n');
  t.deepEqual(
    cells(ages(await run('get', 'svc', 'shop', '--show-labels'))).map((r) => [r[0], r.at(-1)]),
    [
      ['NAME', 'LABELS'],
      ['shop', 'app=shop,tier=web'],
    ],
  );
  t.is(await run('get', 'svc', 'shop', '-o', 'jsonpath={.metadata.annotations.note}'), 'ho');
});

test('kubectl delete and create with --dry-run=server store nothing; delete removes', async (t) => {
  const { run, fails, file } = await withKubectl(t);
  await run('apply', '-f', await file('shop.yaml', SHOP));
  const version = await run('get', 'svc', 'shop', '-o', 'jsonpath={.metadata.resourceVersion}');
  t.is(await run('delete', 'svc', 'shop', '--dry-run=server'), 'service "shop" deleted (server dry run)\n');
  t.is(await run('get', 'svc', 'shop', '-o', 'jsonpath={.metadata.resourceVersion}'), version);

  const other = await file('other.yaml', SHOP.replace('name: shop', 'name: other').replace(/ {2}- \{name: admin.*\n/, ''));
  const created = await run('create', '-f', other, '--dry-run=server', '-o', 'yaml');
  t.regex(created, /^apiVersion: v1\nkind: Service\nmetadata:\n/);
  for (const line of ['  name: other', '  sessionAffinity: None', '  type: ClusterIP', '    protocol: TCP']) t.true(created.includes(line), line);
  t.is(await fails('get', 'svc', 'other'), 'Error from server (NotFound): services "other" not found\n');

  t.is(await run('delete', 'svc', 'shop'), 'service "shop" deleted\n');
  t.is(await fails('get', 'svc', 'shop'), 'Error from server (NotFound): services "shop" not found\n');
  t.is(await fails('delete', 'svc', 'shop'), 'Error from server (NotFound): services "shop" not found\n');
});

test('kubectl get -w prints the table, then the row again when the object changes', async (t) => {
  const { run, file, kubeconfig, dir } = await withKubectl(t);
  await run('apply', '-f', await file('shop.yaml', SHOP));
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kube-cache'), 'get', 'svc', '-w'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill());
  let out = '';
  let waiting: (() => void) | null = null;
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    waiting?.();
  });
  /** Resolves once kubectl has printed `n` lines. */
  const lines = (n: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (out.split('\n').length > n) {
          waiting = null;
          resolve();
        }
      };
      waiting = check;
      child.once('exit', () => reject(new Error(`kubectl get -w ended: ${out}`)));
      check();
    });
  // The header, the built-in kubernetes Service, shop; then shop again once it changes.
  await lines(3);
  await run('label', 'svc', 'shop', 'seen=yes');
  await lines(4);
  const rows = cells(ages(out));
  t.deepEqual(rows[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  t.is(rows.length, 4);
  t.is(rows[1]![0], 'kubernetes');
  t.deepEqual(rows[3], rows[2]);
  t.is(rows[2]![0], 'shop');
});

test('kubectl explain answers for the served kinds', async (t) => {
  const { run } = await withKubectl(t);
  t.regex(await run('explain', 'svc.spec.type'), /^KIND: +Service\nVERSION: +v1\n\nFIELD: type <string>\n/);
  t.regex(
    await run('explain', 'ingress.spec.rules.http.paths'),
    /^GROUP: +networking\.k8s\.io\nKIND: +Ingress\nVERSION: +v1\n\nFIELD: paths <\[\]HTTPIngressPath>\n/,
  );
  t.regex(await run('explain', 'deploy'), /^GROUP: +apps\nKIND: +Deployment\nVERSION: +v1\n/);
  t.true((await readFile(join(import.meta.dirname, '..', '..', 'docs', 'api-connect.md'), 'utf8')).includes('kubectl explain'));
});
