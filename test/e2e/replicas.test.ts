/**
 * Several edgeway replicas (the real bin, one child process each) sharing state in a real etcd on loopback: Services
 * created at once through different replicas get distinct addresses that every replica serves; a delete through one
 * is gone everywhere; a replica killed and restarted keeps every address and loses nothing the API acknowledged;
 * with etcd stopped the replicas keep serving existing routes, report it, refuse writes with 503, and resync when it
 * returns; replicas whose files disagree say so; `kubectl get -w` on one replica sees a write made through another.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { startEtcd } from '../helpers/etcd.ts';
import { httpGet } from '../helpers/http.ts';
import { REPLICA_TOKEN, startReplica, type Replica } from '../helpers/replica.ts';
import { listen, waitFor } from '../helpers/servers.ts';

const KUBECTL_TIMEOUT_MS = 60_000;

/** A pool of 64 addresses in 127/8 that no other test file uses at the same time (chosen at random per run). */
function poolBase(): string {
  return `127.${Math.floor(Math.random() * 40) + 160}.${Math.floor(Math.random() * 256)}`;
}

/** The files every replica has: a pool, and a Pod on loopback that the API's Services select. */
function manifests(base: string, backendPort: number): string {
  return `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: replicas, namespace: metallb-system}
spec:
  addresses: ['${base}.0/26']
---
apiVersion: v1
kind: Pod
metadata: {name: backend, namespace: default, labels: {app: backend}}
spec:
  containers: [{name: c, ports: [{name: http, containerPort: ${backendPort}}]}]
status:
  podIP: 127.0.0.1
  conditions: [{type: Ready, status: "True"}]
`;
}

const lbService = (name: string): unknown => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { type: 'LoadBalancer', selector: { app: 'backend' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
});

interface ServiceList {
  readonly items: readonly { metadata: { name: string; resourceVersion: string }; status?: { loadBalancer?: { ingress?: { ip: string }[] } } }[];
}

/** name → LB IP of the Services a replica's API lists (only those with an address). */
async function addresses(r: Replica): Promise<Map<string, string>> {
  const list = JSON.parse((await r.api('GET', '/api/v1/namespaces/default/services')).text) as ServiceList;
  const out = new Map<string, string>();
  for (const s of list.items) {
    const ip = s.status?.loadBalancer?.ingress?.[0]?.ip;
    if (ip !== undefined) out.set(s.metadata.name, ip);
  }
  return out;
}

async function cluster(t: ExecutionContext, count: number, extra: (name: string) => string = () => '', workers = 1) {
  const etcd = await startEtcd(t);
  const backend = await listen(t, (_req, res) => res.end('backend'));
  const base = poolBase();
  const replicas: Replica[] = [];
  for (let i = 0; i < count; i++) {
    const name = `replica-${String.fromCharCode(97 + i)}`;
    replicas.push(await startReplica(t, { name, etcd: etcd.endpoint, yaml: manifests(base, backend.port) + extra(name), workers }));
  }
  return { etcd, replicas, base };
}

test('Services created at once through three replicas get distinct addresses that every replica serves', async (t) => {
  const { replicas } = await cluster(t, 3);
  const names = Array.from({ length: 50 }, (_, i) => `lb-${i}`);
  const created = await Promise.all(names.map((name, i) => replicas[i % 3]!.api('POST', '/api/v1/namespaces/default/services', lbService(name))));
  t.deepEqual(
    created.map((r) => r.status),
    names.map(() => 201),
  );
  let seen: Map<string, string>[] = [];
  await waitFor(
    async () => {
      seen = await Promise.all(replicas.map(addresses));
      return seen.every((m) => m.size === 50);
    },
    20_000,
    'every replica to list 50 Services with an address',
  );
  const ips = [...seen[0]!.values()];
  t.is(new Set(ips).size, 50, 'no address is handed to two Services');
  for (const m of seen.slice(1)) t.deepEqual(Object.fromEntries(m), Object.fromEntries(seen[0]!), 'every replica serves the same addresses');
  // Each address answers (through whichever replica the kernel hands the connection to: they share it).
  for (const ip of ips.slice(0, 10)) {
    const reply = await httpGet(`http://${ip}:80/`);
    t.is(reply.text, 'backend', ip);
  }
});

test('a delete through one replica is gone everywhere; a replica killed and restarted keeps every address', async (t) => {
  const { replicas } = await cluster(t, 2);
  const [a, b] = replicas as [Replica, Replica];
  for (const name of ['keep', 'drop']) t.is((await a.api('POST', '/api/v1/namespaces/default/services', lbService(name))).status, 201);
  await waitFor(async () => (await addresses(b)).size === 2, 20_000, 'b to serve both');
  const before = await addresses(b);
  t.is((await b.api('DELETE', '/api/v1/namespaces/default/services/drop')).status, 200);
  await waitFor(async () => (await a.api('GET', '/api/v1/namespaces/default/services/drop')).status === 404, 20_000, 'the delete to reach a');
  // Acknowledged, then the replica dies at once: the write is in etcd, not in the dead process.
  t.is((await a.api('POST', '/api/v1/namespaces/default/services', lbService('late'))).status, 201);
  await a.kill();
  await b.kill();
  await b.restart();
  // A replica lists etcd before its first generation: once it says it is serving, it serves everything.
  const after = await addresses(b);
  t.is(after.get('keep'), before.get('keep'), 'an address survives the restart of every replica');
  t.true(after.has('late'));
  t.false(after.has('drop'));
});

test('with etcd stopped the replicas keep serving, report it and refuse writes; they resync when it returns', async (t) => {
  const { etcd, replicas } = await cluster(t, 2);
  const [a, b] = replicas as [Replica, Replica];
  t.is((await a.api('POST', '/api/v1/namespaces/default/services', lbService('web'))).status, 201);
  await waitFor(async () => (await addresses(b)).has('web'), 20_000, 'b to serve web');
  const ip = (await addresses(b)).get('web')!;

  await etcd.stop();
  await waitFor(async () => ((await a.status())['sharedState'] as { reachable: boolean }).reachable === false, 10_000, 'a to notice');
  // A bounded load on the existing route for five seconds while etcd is down: no request fails.
  const stopAt = Date.now() + 5000;
  let answered = 0;
  for (let i = 0; i < 5000 && Date.now() < stopAt; i++) {
    const reply = await httpGet(`http://${ip}:80/`);
    t.is(reply.status, 200);
    answered++;
  }
  t.true(answered > 0);
  t.is((await httpGet(`${b.adminUrl}/readyz`)).status, 200, 'still ready: it is serving');
  const refused = await a.api('POST', '/api/v1/namespaces/default/services', lbService('during'));
  t.is(refused.status, 503);
  t.like(JSON.parse(refused.text), { kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
  const metrics = (await httpGet(`${a.adminUrl}/metrics`)).text;
  t.regex(metrics, /edgeway_shared_state_up 0/);

  await etcd.start();
  await waitFor(
    async () => (await a.api('POST', '/api/v1/namespaces/default/services', lbService('after'))).status === 201,
    30_000,
    'writes to be taken again',
  );
  await waitFor(async () => (await addresses(b)).has('after'), 20_000, 'b to see the write made after etcd returned');
  t.is((await addresses(b)).get('web'), ip);
});

test('replicas whose files define one object differently each report it', async (t) => {
  const conflicting = (name: string): string => `---
apiVersion: v1
kind: Service
metadata: {name: conf, namespace: default}
spec:
  ports: [{port: ${name === 'replica-a' ? 80 : 81}}]
`;
  const { replicas } = await cluster(t, 2, conflicting);
  for (const r of replicas) {
    await waitFor(
      async () => JSON.stringify((await r.status())['diagnostics']).includes('EW_REPLICA_FILES_DISAGREE'),
      20_000,
      `${r.name} to report the disagreement`,
    );
    const other = r.name === 'replica-a' ? 'replica-b' : 'replica-a';
    t.regex(JSON.stringify((await r.status())['diagnostics']), new RegExp(`replica\\(s\\) ${other} define this object differently`));
    // The Event is recorded with the API view, which a generation advances after it is served.
    await waitFor(
      async () => (await r.api('GET', '/api/v1/namespaces/default/events')).text.includes('ReplicaFilesDisagree'),
      20_000,
      `${r.name} to record a ReplicaFilesDisagree Event`,
    );
  }
});

test('kubectl get -w on one replica sees a write made through another', async (t) => {
  const { replicas } = await cluster(t, 2);
  const [a, b] = replicas as [Replica, Replica];
  const kubeconfig = join(b.dir, 'kubeconfig');
  const adminPort = Number(new URL(b.adminUrl).port);
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'b', cluster: { server: `http://127.0.0.1:${adminPort}` } }],
      users: [{ name: 'b', user: { token: REPLICA_TOKEN } }],
      contexts: [{ name: 'b', context: { cluster: 'b', user: 'b', namespace: 'default' } }],
      'current-context': 'b',
    }),
  );
  const watch = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(b.dir, 'kube-cache'), 'get', 'services', '-w', '-o', 'name'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => watch.kill('SIGKILL'));
  let out = '';
  watch.stdout.on('data', (c: Buffer) => (out += c.toString()));
  watch.stderr.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor(() => out.includes('service/kubernetes'), KUBECTL_TIMEOUT_MS, 'kubectl to list');
  t.is((await a.api('POST', '/api/v1/namespaces/default/services', lbService('seen-by-b'))).status, 201);
  await waitFor(() => out.includes('service/seen-by-b'), 20_000, 'the watch on b to hear the write through a').catch((e: Error) => {
    throw new Error(`${e.message}; kubectl printed:\n${out}`);
  });
  t.pass();
});

test('replicas with two data-plane workers each serve what another replica created', async (t) => {
  const { replicas } = await cluster(t, 2, () => '', 2);
  const [a, b] = replicas as [Replica, Replica];
  t.is((await a.api('POST', '/api/v1/namespaces/default/services', lbService('multi'))).status, 201);
  await waitFor(async () => (await addresses(b)).has('multi'), 20_000, 'b to serve it');
  const ip = (await addresses(b)).get('multi')!;
  t.is((await addresses(a)).get('multi'), ip);
  // Every worker of both replicas shares the address: many connections, each answered.
  for (let i = 0; i < 20; i++) t.is((await httpGet(`http://${ip}:80/`)).text, 'backend');
});
