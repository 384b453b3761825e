/**
 * The API's storage and verb semantics over a real admin listener: per-object resourceVersions (an unrelated change
 * leaves an object's version, and so a PUT with it, valid), uids, creation times and versions kept across a restart,
 * dryRun leaving state untouched, namespaces, protobuf bodies, field selectors and pagination; watches from a
 * resourceVersion with selectors, bookmarks, 410 Expired and timeoutSeconds; and the real kubectl reading over
 * plain HTTP.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile, spawn } from 'node:child_process';
import { request } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EventHistory } from '../../src/api/watch/event-history.ts';
import { startEdgeway, type Running } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, serviceWithEndpoints, settings } from '../helpers/manifests.ts';

const TOKEN = 'api-core-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
type Json = Record<string, any>;

let configs = 0;
const CIDR_BASE = Math.floor(Math.random() * 256);

/**
 * Each configuration takes ClusterIPs from a loopback /24 of its own: Services bind listeners on them, and a listener
 * another test or process holds would flip a Service's Serving condition (and so its resourceVersion) mid-test.
 */
function config(...more: string[]): string {
  const cidr = `127.${100 + ++configs}.${CIDR_BASE}.0/24`;
  return docs(
    INGRESS_CLASS,
    settings(`reload: {watch: false}\nadmin: {token: ${TOKEN}}\naddresses: {serviceCIDRs: ['${cidr}']}`),
    serviceWithEndpoints('filed', [{ ip: '127.0.0.1', port: 9 }]),
    ...more,
  );
}

async function call(
  gw: Running,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = AUTH,
): Promise<{ status: number; body: Json }> {
  const r = await httpGet(gw.adminUrl + path, headers, method, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  return { status: r.status, body: JSON.parse(r.text) as Json };
}

const svc = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels },
  spec: { ports: [{ name: 'http', port: 80 }] },
});

/** An open watch: its events as they arrive; `next` waits (with a deadline) for one matching. */
function watch(t: ExecutionContext, url: string, headers: Record<string, string> = {}) {
  const events: Json[] = [];
  let ended = false;
  let wake: () => void = () => undefined;
  const req = request(url, { headers, agent: false }, (res) => {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buffer.slice(0, nl)) as Json);
        buffer = buffer.slice(nl + 1);
      }
      wake();
    });
    res.on('end', () => {
      ended = true;
      wake();
    });
  });
  req.end();
  t.teardown(() => req.destroy());
  let seen = 0;
  return {
    events,
    get ended() {
      return ended;
    },
    async next(match: (e: Json) => boolean = () => true, ms = 5000): Promise<Json> {
      const deadline = Date.now() + ms;
      for (;;) {
        while (seen < events.length) {
          const e = events[seen++]!;
          if (match(e)) return e;
        }
        if (ended || Date.now() > deadline) throw new Error(`no matching watch event; got ${JSON.stringify(events.map((e) => e['type']))}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100).unref();
        });
      }
    },
    async end(ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!ended && Date.now() < deadline) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, 100).unref()));
      if (!ended) throw new Error('the watch did not end');
    },
  };
}

test('per-object resourceVersions; a restart keeps uids, creation times and versions', async (t) => {
  const yaml = config();
  let gw = await startEdgeway(t, yaml);
  const a = await call(gw, 'POST', '/api/v1/namespaces/default/services', svc('a'));
  t.is(a.status, 201);
  const b = await call(gw, 'POST', '/api/v1/namespaces/default/services', svc('b'));
  t.is(b.status, 201);
  t.true(Number(b.body['metadata'].resourceVersion) > Number(a.body['metadata'].resourceVersion));
  const aNow = (await call(gw, 'GET', '/api/v1/namespaces/default/services/a')).body;
  t.is(aNow['metadata'].resourceVersion, a.body['metadata'].resourceVersion, 'an unrelated create leaves the version');
  t.is(aNow['metadata'].generation, 1);
  // A PUT with a's own version succeeds although the store moved on; the spec change bumps generation.
  const put = await call(gw, 'PUT', '/api/v1/namespaces/default/services/a', {
    ...svc('a'),
    metadata: { name: 'a', resourceVersion: aNow['metadata'].resourceVersion },
    spec: { ports: [{ name: 'http', port: 81 }] },
  });
  t.is(put.status, 200);
  t.is(put.body['metadata'].generation, 2);
  t.is(put.body['metadata'].uid, a.body['metadata'].uid);
  const stale = await call(gw, 'PUT', '/api/v1/namespaces/default/services/a', {
    ...svc('a'),
    metadata: { name: 'a', resourceVersion: aNow['metadata'].resourceVersion },
  });
  t.is(stale.status, 409);
  t.is(
    stale.body['message'],
    'Operation cannot be fulfilled on services "a": the object has been modified; please apply your changes to the latest version and try again',
  );
  const before = (await call(gw, 'GET', '/api/v1/services')).body;
  const filed = before['items'].find((s: Json) => s.metadata.name === 'filed');
  t.regex(filed.metadata.uid, /^[0-9a-f-]{36}$/);
  t.truthy(filed.metadata.creationTimestamp);

  await gw.edgeway.close(0);
  gw = await startEdgeway(t, yaml, { dir: gw.dir });
  const after = (await call(gw, 'GET', '/api/v1/services')).body;
  const pick = (l: Json) => l['items'].map((s: Json) => [s.metadata.name, s.metadata.uid, s.metadata.creationTimestamp]);
  t.deepEqual(pick(after), pick(before));
  // Versions are kept unless the served object changed meanwhile: a Service's Serving condition depends on whether
  // its ClusterIP listener could be bound, which other processes on this machine can change between the two runs.
  const status = (s: Json) => JSON.stringify(s.status, (k, v: unknown) => (k === 'lastTransitionTime' ? undefined : v));
  for (const [i, s] of (after['items'] as Json[]).entries()) {
    const old = before['items'][i] as Json;
    if (status(s) === status(old)) t.is(s['metadata'].resourceVersion, old['metadata'].resourceVersion, s['metadata'].name);
    else t.true(Number(s['metadata'].resourceVersion) > Number(before['metadata'].resourceVersion));
  }
  const c = await call(gw, 'POST', '/api/v1/namespaces/default/services', svc('c'));
  t.true(Number(c.body['metadata'].resourceVersion) > Number(before['metadata'].resourceVersion), 'versions are never reused');
  t.truthy(JSON.parse(await readFile(join(gw.dir, 'state', 'api-metadata.json'), 'utf8')));
});

test('dryRun=All validates and answers but stores nothing', async (t) => {
  const gw = await startEdgeway(t, config());
  const list = async () => (await call(gw, 'GET', '/api/v1/services')).body;
  const before = await list();
  const created = await call(gw, 'POST', '/api/v1/namespaces/default/services?dryRun=All', svc('dry'));
  t.is(created.status, 201);
  t.is(created.body['metadata'].name, 'dry');
  t.is((await call(gw, 'GET', '/api/v1/namespaces/default/services/dry')).status, 404);
  const invalid = await call(gw, 'POST', '/api/v1/namespaces/default/services?dryRun=All', { ...svc('bad'), spec: { ports: [{ port: 70000 }] } });
  t.is(invalid.status, 422);
  t.is(invalid.body['reason'], 'Invalid');
  await call(gw, 'POST', '/api/v1/namespaces/default/services', svc('real'));
  const mid = await list();
  t.is((await call(gw, 'DELETE', '/api/v1/namespaces/default/services/real?dryRun=All')).status, 200);
  t.is((await call(gw, 'PUT', '/api/v1/namespaces/default/services/real?dryRun=All', { ...svc('real', { x: 'y' }) })).status, 200);
  t.deepEqual(await list(), mid);
  t.is(mid['items'].length, before['items'].length + 1);
  t.is((await call(gw, 'POST', '/api/v1/namespaces/default/services?dryRun=Some', svc('x'))).status, 400);

  // Admission includes allocation: a NodePort already taken is a 422, with or without dryRun, and nothing is stored.
  const nodePort = (name: string) => ({ ...svc(name), spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30007 }] } });
  t.is((await call(gw, 'POST', '/api/v1/namespaces/default/services', nodePort('np1'))).status, 201);
  for (const query of ['?dryRun=All', '']) {
    const taken = await call(gw, 'POST', `/api/v1/namespaces/default/services${query}`, nodePort('np2'));
    t.is(taken.status, 422, JSON.stringify(taken.body));
    t.is(taken.body['reason'], 'Invalid');
    t.regex(taken.body['message'], /^Service "np2" is invalid: .*30007/);
  }
  t.is((await call(gw, 'GET', '/api/v1/namespaces/default/services/np2')).status, 404);
});

test('namespaces, file objects, protobuf bodies, field selectors and pages', async (t) => {
  const gw = await startEdgeway(t, config());
  const ns = await call(gw, 'GET', '/api/v1/namespaces');
  t.deepEqual(
    ns.body['items'].map((n: Json) => n.metadata.name),
    ['default', 'kube-public', 'kube-system'],
  );
  const missing = await call(gw, 'POST', '/api/v1/namespaces/nowhere/services', svc('x'));
  t.is(missing.status, 404);
  t.is(missing.body['message'], 'namespaces "nowhere" not found');
  t.is((await call(gw, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } })).status, 201);
  t.is((await call(gw, 'POST', '/api/v1/namespaces/team/services', svc('in-team'))).status, 201);
  t.is((await call(gw, 'DELETE', '/api/v1/namespaces/default')).status, 403);
  t.is((await call(gw, 'DELETE', '/api/v1/namespaces/team')).status, 200);
  t.is((await call(gw, 'GET', '/api/v1/namespaces/team/services/in-team')).status, 404, 'deleting a Namespace deletes what is in it');

  const proto = await call(gw, 'POST', '/api/v1/namespaces/default/services', '\x0a\x02k8s', {
    ...AUTH,
    'content-type': 'application/vnd.kubernetes.protobuf',
  });
  t.is(proto.status, 415);
  t.regex(proto.body['message'], /kubectl apply -f/);

  for (const n of ['p1', 'p2', 'p3']) t.is((await call(gw, 'POST', '/api/v1/namespaces/default/services', svc(n, { page: 'yes' }))).status, 201);
  t.deepEqual(
    (await call(gw, 'GET', '/api/v1/services?fieldSelector=metadata.name%3Dp2')).body['items'].map((s: Json) => s.metadata.name),
    ['p2'],
  );
  t.is((await call(gw, 'GET', '/api/v1/services?fieldSelector=metadata.namespace!%3Ddefault')).body['items'].length, 0);
  const badField = await call(gw, 'GET', '/api/v1/services?fieldSelector=spec.type%3DClusterIP');
  t.is(badField.status, 400);
  t.is(badField.body['message'], 'field label not supported: spec.type');
  const exact = await call(gw, 'GET', '/api/v1/services?resourceVersion=1&resourceVersionMatch=Exact');
  t.is(exact.status, 410);
  t.is(exact.body['reason'], 'Expired');
  t.is((await call(gw, 'GET', '/api/v1/services?resourceVersionMatch=Exact')).status, 400);
  const names: string[] = [];
  let token = '';
  for (let i = 0; i < 5; i++) {
    const page = (await call(gw, 'GET', `/api/v1/services?labelSelector=page%3Dyes&limit=2${token === '' ? '' : `&continue=${token}`}`)).body;
    names.push(...page['items'].map((s: Json) => s.metadata.name));
    token = page['metadata'].continue ?? '';
    if (token === '') break;
  }
  t.deepEqual(names, ['p1', 'p2', 'p3']);
});

test('watch: from a resourceVersion, selectors, bookmarks, timeoutSeconds, 410 Expired', async (t) => {
  const yaml = config();
  let gw = await startEdgeway(t, yaml);
  const list = (await call(gw, 'GET', '/api/v1/namespaces/default/services')).body;
  const rv = list['metadata'].resourceVersion as string;
  const w = watch(t, `${gw.adminUrl}/api/v1/namespaces/default/services?watch=1&resourceVersion=${rv}&labelSelector=team%3Dweb&allowWatchBookmarks=true`);
  await call(gw, 'POST', '/api/v1/namespaces/default/services', svc('w1', { team: 'web' }));
  const added = await w.next();
  t.is(added['type'], 'ADDED');
  t.is(added['object'].metadata.name, 'w1');
  // A change the selector hides: a BOOKMARK carries the new version instead.
  const other = await call(gw, 'POST', '/api/v1/namespaces/default/services', svc('w2', { team: 'db' }));
  const mark = await w.next();
  t.is(mark['type'], 'BOOKMARK');
  t.is(mark['object'].metadata.resourceVersion, other.body['metadata'].resourceVersion);
  // Leaving the selection is a DELETED for this watcher; a real delete too.
  await call(
    gw,
    'PATCH',
    '/api/v1/namespaces/default/services/w1',
    { metadata: { labels: { team: 'none' } } },
    { ...AUTH, 'content-type': 'application/merge-patch+json' },
  );
  t.is((await w.next((e) => e['type'] !== 'BOOKMARK'))['type'], 'DELETED');

  // Replay from the list's version, with no selector: both creations, in order.
  const replay = watch(t, `${gw.adminUrl}/api/v1/services?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
  t.is((await replay.next())['object'].metadata.name, 'w1');
  t.is((await replay.next())['object'].metadata.name, 'w2');
  await replay.end();

  // Without a version: the current objects as ADDED first.
  const fresh = watch(t, `${gw.adminUrl}/api/v1/namespaces/default/services?watch=1&timeoutSeconds=1`);
  const first = await fresh.next();
  t.is(first['type'], 'ADDED');
  await fresh.end();

  // After a restart the history starts empty: a watch from before it is too old.
  await gw.edgeway.close(0);
  gw = await startEdgeway(t, yaml, { dir: gw.dir });
  const gone = watch(t, `${gw.adminUrl}/api/v1/services?watch=1&resourceVersion=${rv}`);
  const expired = await gone.next();
  t.is(expired['type'], 'ERROR');
  t.like(expired['object'], { kind: 'Status', code: 410, reason: 'Expired' });
  await gone.end();
});

test('deletecollection, PUT creating Endpoints, concurrent creates, stale patches', async (t) => {
  const gw = await startEdgeway(t, config());
  const both = await Promise.all([
    call(gw, 'POST', '/api/v1/namespaces/default/services', svc('race')),
    call(gw, 'POST', '/api/v1/namespaces/default/services', svc('race')),
  ]);
  t.deepEqual(both.map((r) => r.status).sort(), [201, 409]);
  const nodePort = (name: string) => ({ ...svc(name), spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30009 }] } });
  const ports = await Promise.all([
    call(gw, 'POST', '/api/v1/namespaces/default/services', nodePort('np-a')),
    call(gw, 'POST', '/api/v1/namespaces/default/services', nodePort('np-b')),
  ]);
  t.deepEqual(ports.map((r) => r.status).sort(), [201, 422], 'one NodePort, one winner: admission runs in the serialized update');
  const endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'race' },
    subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port: 9 }] }],
  };
  t.is((await call(gw, 'PUT', '/api/v1/namespaces/default/endpoints/race', endpoints)).status, 201, 'Endpoints are created by PUT');
  t.is((await call(gw, 'PUT', '/api/v1/namespaces/default/services/absent', svc('absent'))).status, 404, 'Services are not');
  // A merge patch naming an old version is refused; one naming none applies to the current object.
  const current = (await call(gw, 'GET', '/api/v1/namespaces/default/services/race')).body;
  const merge = { ...AUTH, 'content-type': 'application/merge-patch+json' };
  t.is((await call(gw, 'PATCH', '/api/v1/namespaces/default/services/race', { metadata: { labels: { v: '1' } } }, merge)).status, 200);
  const stale = await call(
    gw,
    'PATCH',
    '/api/v1/namespaces/default/services/race',
    { metadata: { resourceVersion: current['metadata'].resourceVersion, labels: { v: '2' } } },
    merge,
  );
  t.is(stale.status, 409);
  t.is(stale.body['reason'], 'Conflict');
  t.is((await call(gw, 'PATCH', '/api/v1/namespaces/default/services/absent', { metadata: { labels: { v: '1' } } }, merge)).status, 404);
  // A JSON patch must be a list of operations: the API server answers 400 for an object.
  t.is((await call(gw, 'PATCH', '/api/v1/namespaces/default/services/race', '{}', { ...AUTH, 'content-type': 'application/json-patch+json' })).status, 400);

  for (const n of ['c1', 'c2']) await call(gw, 'POST', '/api/v1/namespaces/default/services', svc(n, { sweep: 'yes' }));
  const refused = await call(gw, 'DELETE', '/api/v1/namespaces/default/services');
  t.is(refused.status, 403, 'the file object "filed" matches: nothing is deleted');
  t.is((await call(gw, 'GET', '/api/v1/namespaces/default/services?labelSelector=sweep')).body['items'].length, 2);
  const dry = await call(gw, 'DELETE', '/api/v1/namespaces/default/services?labelSelector=sweep&dryRun=All');
  t.is(dry.body['items'].length, 2);
  t.is((await call(gw, 'GET', '/api/v1/namespaces/default/services?labelSelector=sweep')).body['items'].length, 2);
  const swept = await call(gw, 'DELETE', '/api/v1/namespaces/default/services?labelSelector=sweep');
  t.is(swept.status, 200);
  t.deepEqual(
    swept.body['items'].map((s: Json) => s.metadata.name),
    ['c1', 'c2'],
  );
  t.is((await call(gw, 'GET', '/api/v1/namespaces/default/services?labelSelector=sweep')).body['items'].length, 0);
});

test('the watch history keeps a bounded ring and reports what it no longer holds', (t) => {
  const h = new EventHistory(2, 10);
  const e = (rv: number) => ({
    type: 'ADDED' as const,
    object: { apiVersion: 'v1', kind: 'Service', metadata: { name: `s${rv}` } },
    previous: null,
    resourceVersion: rv,
  });
  h.append([e(11), e(12)], 12);
  t.deepEqual(
    h.since(10)!.map((x) => x.resourceVersion),
    [11, 12],
  );
  h.append([e(13)], 13);
  t.is(h.since(10), null);
  t.deepEqual(
    h.since(11)!.map((x) => x.resourceVersion),
    [12, 13],
  );
  t.deepEqual(h.since(13), []);
});

test('kubectl reads over plain HTTP: tables, JSON, pages, field selectors, namespaces, errors', async (t) => {
  const gw = await startEdgeway(t, config(serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: 9 }], 'shop')));
  const kubeconfig = join(gw.dir, 'kubeconfig');
  await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\n');
  const kubectl = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'kubectl',
        ['--server', gw.adminUrl, '--kubeconfig', kubeconfig, ...args],
        { timeout: 30_000, env: { ...process.env, HOME: gw.dir } },
        (err, stdout, stderr) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
      );
    });
  const names = await kubectl('get', 'svc', '-A', '-o', 'custom-columns=NS:.metadata.namespace,NAME:.metadata.name', '--no-headers');
  t.is(names.code, 0, names.stderr);
  // default/kubernetes is the built-in Service standing for the admin API, as a cluster has.
  t.deepEqual(
    names.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/).join('/')),
    ['default/filed', 'default/kubernetes', 'shop/web'],
  );
  const table = await kubectl('get', 'services', '-n', 'shop');
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/);
  t.regex(table.stdout, /\nweb\s+ClusterIP\s/);
  const one = await kubectl('get', 'svc', 'web', '-n', 'shop', '-o', 'json');
  t.is(one.code, 0, one.stderr);
  t.truthy((JSON.parse(one.stdout) as Json)['metadata'].uid);
  const ns = await kubectl('get', 'ns', '-o', 'name');
  t.is(ns.code, 0, ns.stderr);
  t.deepEqual(ns.stdout.trim().split('\n'), ['namespace/default', 'namespace/kube-public', 'namespace/kube-system', 'namespace/shop']);
  // Pages of one (kubectl follows metadata.continue), field selectors, and errors as the API server words them.
  const paged = await kubectl('get', 'svc', '-A', '--chunk-size=1', '-o', 'name');
  t.is(paged.code, 0, paged.stderr);
  t.deepEqual(paged.stdout.trim().split('\n'), ['service/filed', 'service/kubernetes', 'service/web']);
  const byField = await kubectl('get', 'svc', '-A', '--field-selector', 'metadata.namespace=shop', '-o', 'name');
  t.is(byField.stdout.trim(), 'service/web');
  const badField = await kubectl('get', 'svc', '-A', '--field-selector', 'spec.x=1');
  t.not(badField.code, 0);
  t.regex(badField.stderr, /field label not supported: spec\.x/);
  const missing = await kubectl('get', 'svc', 'nope', '-n', 'shop');
  t.not(missing.code, 0);
  t.regex(missing.stderr, /services "nope" not found/);
});

test('kubectl get -w prints the rows of objects created after it started', async (t) => {
  const gw = await startEdgeway(t, config());
  const kubeconfig = join(gw.dir, 'kubeconfig');
  await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\n');
  const child = spawn('kubectl', ['--server', gw.adminUrl, '--kubeconfig', kubeconfig, 'get', 'services', '-n', 'default', '-w'], {
    env: { ...process.env, HOME: gw.dir },
  });
  t.teardown(() => void child.kill());
  let out = '';
  let wake: () => void = () => undefined;
  child.stdout.setEncoding('utf8').on('data', (c: string) => ((out += c), wake()));
  child.stderr.setEncoding('utf8').on('data', (c: string) => ((out += c), wake()));
  const seen = async (re: RegExp): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!re.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`kubectl printed: ${out}`);
      await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, 200).unref()));
    }
  };
  await seen(/\nfiled\s+ClusterIP/);
  t.is((await call(gw, 'POST', '/api/v1/namespaces/default/services', svc('watched'))).status, 201);
  await seen(/\nwatched\s+ClusterIP\s/);
  t.regex(out, /^NAME\s+TYPE\s+CLUSTER-IP/);
});
