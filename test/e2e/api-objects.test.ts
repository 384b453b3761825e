/**
 * What the cluster's controllers would write, served through the API and read with the real kubectl (v1.32):
 * Endpoints and EndpointSlices generated for Services with selectors (refused to writers with a 403 naming the
 * Service), Events for allocation results and invalid objects (`get events`, `describe`), and `expose` of a served
 * Deployment. Then the pure pieces: the generated objects and the event log's counting and bound, as tables.
 * Expected outputs are written from the columns and formats the API server and kubectl print.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadAdminCa } from '../../src/admin/admin-certificate.ts';
import { EventLog } from '../../src/api/events/event-log.ts';
import type { EventInput } from '../../src/api/events/event-input.ts';
import { kubeconfigYaml, serverUrl } from '../../src/cli/kubeconfig.ts';
import { generatedEndpoints, MANAGED_BY_EDGEWAY } from '../../src/controllers/generated-endpoints.ts';
import type { Service } from '../../src/k8s/types.ts';
import { loaded, pod, service, storeOf } from '../fixtures/endpoints-fixtures.ts';
import { startEdgeway, type Running } from '../helpers/edgeway.ts';
import { docs, settings } from '../helpers/manifests.ts';

const TOKEN = 'api-objects-token-0123456789abcdef';
const CIDR = `127.${Math.floor(Math.random() * 50) + 200}.${Math.floor(Math.random() * 256)}.0/24`;
const POOL = `127.${Math.floor(Math.random() * 50) + 200}.${Math.floor(Math.random() * 256)}.1`;

const yaml = (o: object): string => `${JSON.stringify(o)}\n`;
const lb = (name: string) => yaml(service(name, { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }] }));

const MANIFESTS = docs(
  settings(`reload: {watch: false}\nadmin: {token: ${TOKEN}}\naddresses: {serviceCIDRs: ['${CIDR}']}`),
  yaml(service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] })),
  yaml({ ...pod('web-1', { ip: '10.1.0.1', nodeName: 'n1' }), spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'web:1' }] } }),
  yaml({ ...pod('web-2', { ip: '10.1.0.2', ready: false }), spec: { containers: [{ name: 'app', image: 'web:1' }] } }),
  yaml({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'web:1', ports: [{ containerPort: 8080 }] }] } },
    },
  }),
  yaml({
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: 'tiny', namespace: 'metallb-system' },
    spec: { addresses: [`${POOL}/32`] },
  }),
  lb('a'),
  lb('b'),
  yaml(service('broken', { ports: [{ port: 'eighty' as unknown as number }] })),
);

async function withKubectl(t: import('ava').ExecutionContext): Promise<{ running: Running; run: (...args: string[]) => Promise<string> }> {
  const running = await startEdgeway(t, MANIFESTS);
  const ca = await loadAdminCa(join(running.dir, 'state'));
  const file = join(running.dir, 'kubeconfig');
  await writeFile(file, kubeconfigYaml({ server: serverUrl('127.0.0.1', running.edgeway.adminPort), caPem: ca.certPem, token: TOKEN }));
  const run = (...args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('kubectl', ['--kubeconfig', file, '--cache-dir', join(running.dir, 'kube-cache'), ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
        err === null ? resolve(stdout) : reject(new Error(`kubectl ${args.join(' ')}: ${err.message}\n${stderr}`)),
      );
    });
  return { running, run };
}

const columns = (text: string): string[][] =>
  text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));

test('kubectl: generated Endpoints and EndpointSlices, events, describe, expose; generated objects refuse writes', async (t) => {
  const { running, run } = await withKubectl(t);

  const ep = await run('get', 'ep', 'web');
  t.deepEqual(
    columns(ep).map((r) => r.slice(0, 2)),
    [
      ['NAME', 'ENDPOINTS'],
      ['web', '10.1.0.1:8080'],
    ],
    ep,
  );
  const slices = columns(await run('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'));
  t.deepEqual(
    slices.map((r) => r.slice(0, 4)),
    [
      ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS'],
      ['web-edgeway', 'IPv4', '8080', '10.1.0.1,10.1.0.2'],
    ],
  );
  const slice = JSON.parse(await run('get', 'endpointslice', 'web-edgeway', '-o', 'json')) as {
    metadata: { labels: Record<string, string>; ownerReferences: { kind: string; name: string }[] };
    endpoints: { addresses: string[]; conditions: { ready: boolean } }[];
  };
  t.is(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], MANAGED_BY_EDGEWAY);
  t.like(slice.metadata.ownerReferences[0], { kind: 'Service', name: 'web' });
  t.deepEqual(
    slice.endpoints.map((e) => [e.addresses[0], e.conditions.ready]),
    [
      ['10.1.0.1', true],
      ['10.1.0.2', false],
    ],
  );

  const describeWeb = await run('describe', 'svc', 'web');
  t.regex(describeWeb, /^Endpoints:\s+10\.1\.0\.1:8080$/m);

  const labelled = await run('label', 'ep', 'web', 'x=y').then(
    () => '',
    (e: Error) => e.message,
  );
  t.regex(labelled, /endpoints "web" is forbidden: it is generated by edgeway from Service "web"/);

  const events = columns(await run('get', 'events'));
  t.deepEqual(events[0], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
  const rows = events.slice(1).map((r) => r.slice(1, 4));
  t.true(rows.some((r) => r.join(' ') === 'Normal IPAllocated service/a') || rows.some((r) => r.join(' ') === 'Normal IPAllocated service/b'));
  t.true(rows.some((r) => r[0] === 'Warning' && r[1] === 'AllocationFailed'));
  t.true(rows.some((r) => r.join(' ') === 'Warning Invalid service/broken'));
  const failed = events.slice(1).find((r) => r[2] === 'AllocationFailed')!;
  const pending = failed[3]!.slice('service/'.length);
  t.regex(failed[4]!, new RegExp(`^Failed to allocate IP for "default/${pending}": no available IPs`));

  const describePending = await run('describe', 'svc', pending);
  t.regex(
    describePending,
    /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+----.*\n\s+Warning\s+AllocationFailed\s+\S+\s+edgeway\s+Failed to allocate IP for/,
  );
  t.regex(
    await run('get', 'events', '--field-selector', 'involvedObject.kind=Service,involvedObject.name=broken', '-o', 'name'),
    /^event\/broken\.[0-9a-f]{16}\n$/,
  );

  const eventFile = join(running.dir, 'event.yaml');
  await writeFile(
    eventFile,
    yaml({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'mine', namespace: 'default' },
      involvedObject: { kind: 'Service', name: 'web' },
      reason: 'Hand',
      message: 'm',
      type: 'Normal',
    }),
  );
  const created = await run('create', '-f', eventFile).then(
    () => '',
    (e: Error) => e.message,
  );
  t.regex(created, /Event "mine" is invalid: .*Events are recorded by edgeway and cannot be written/);

  t.is(await run('expose', 'deployment/web', '--port', '80', '--target-port', '8080', '--name', 'web-exposed'), 'service/web-exposed exposed\n');
  const exposed = JSON.parse(await run('get', 'svc', 'web-exposed', '-o', 'json')) as Service;
  t.deepEqual(exposed.spec.selector, { app: 'web' });
  t.like(exposed.spec.ports?.[0], { port: 80, targetPort: 8080, protocol: 'TCP' });
});

test('kubectl get events: a rejected reload is a ReloadFailed Warning; the running objects keep their Events', async (t) => {
  const { running, run } = await withKubectl(t);
  await writeFile(join(running.dir, 'config.yaml'), `${MANIFESTS}---\nkind: [\n`);
  t.false((await running.edgeway.reload('SIGHUP')).ok);
  const rows = columns(await run('get', 'events', '--field-selector', 'reason=ReloadFailed'));
  t.deepEqual(
    rows.slice(1).map((r) => r.slice(1, 4)),
    [['Warning', 'ReloadFailed', 'namespace/default']],
  );
  t.regex(rows[1]![4]!, /^the configuration was not reloaded, the previous one keeps serving: .*config\.yaml:\d+:\d+: error /);
  t.regex(await run('get', 'events', '--field-selector', 'reason=IPAllocated'), /service\/[ab]/);
});

test('generated objects: subsets and slices by port set, ready and not ready, nothing without a selector', (t) => {
  const web = loaded(
    service('web', {
      selector: { app: 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'm', port: 9090 },
      ],
    }),
  );
  const store = storeOf(
    web.object,
    pod('p1', { ip: '10.0.0.1', ports: [{ name: 'http', containerPort: 8080 }], nodeName: 'n1' }),
    pod('p2', { ip: '10.0.0.2', ports: [{ name: 'http', containerPort: 8081 }], ready: false }),
    pod('p3', { ip: 'fd00::3', ports: [{ name: 'http', containerPort: 8080 }] }),
    pod('other', { ip: '10.0.0.9', labels: { app: 'other' } }),
  );
  const g = generatedEndpoints(store, web)!;
  t.deepEqual(g.endpoints.subsets, [
    {
      addresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'p1' } }],
      ports: [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'm', port: 9090, protocol: 'TCP' },
      ],
    },
    {
      notReadyAddresses: [{ ip: '10.0.0.2', targetRef: { kind: 'Pod', namespace: 'default', name: 'p2' } }],
      ports: [
        { name: 'http', port: 8081, protocol: 'TCP' },
        { name: 'm', port: 9090, protocol: 'TCP' },
      ],
    },
    {
      addresses: [{ ip: 'fd00::3', targetRef: { kind: 'Pod', namespace: 'default', name: 'p3' } }],
      ports: [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'm', port: 9090, protocol: 'TCP' },
      ],
    },
  ]);
  t.deepEqual(
    g.slices.map((s) => [s.metadata.name, s.addressType, s.endpoints?.map((e) => e.addresses[0])]),
    [
      ['web-edgeway', 'IPv4', ['10.0.0.1']],
      ['web-edgeway-2', 'IPv4', ['10.0.0.2']],
      ['web-edgeway-3', 'IPv6', ['fd00::3']],
    ],
  );
  t.deepEqual(g.slices[0]!.metadata.labels, { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': MANAGED_BY_EDGEWAY });

  const empty = generatedEndpoints(storeOf(), loaded(service('lonely', { selector: { app: 'none' }, ports: [{ port: 80 }] })))!;
  t.is(empty.endpoints.subsets, undefined);
  t.deepEqual(
    empty.slices.map((s) => [s.metadata.name, s.endpoints]),
    [['lonely-edgeway', []]],
  );
  t.is(generatedEndpoints(storeOf(), loaded(service('manual', { ports: [{ port: 80 }] }))), null);
  t.is(generatedEndpoints(storeOf(), loaded(service('ext', { type: 'ExternalName', externalName: 'x.example', selector: { a: 'b' } }))), null);
});

test('event log: one Event per cause, counted when the cause comes back, bounded by the least recently seen', (t) => {
  const log = new EventLog(2);
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const e = (name: string, message = 'm'): EventInput => ({
    involved: { kind: 'Service', namespace: 'default', name },
    type: 'Warning',
    reason: 'AllocationFailed',
    message,
  });
  const meta = () => ({ uid: 'u1', creationTimestamp: '', generation: 1, resourceVersion: 7, specHash: '', hash: '' });
  log.record([e('a'), e('a')], at(0), meta);
  t.like(log.events()[0], {
    count: 1,
    firstTimestamp: '2026-01-01T00:00:00Z',
    lastTimestamp: '2026-01-01T00:00:00Z',
    involvedObject: { kind: 'Service', name: 'a', uid: 'u1', resourceVersion: '7', apiVersion: 'v1' },
  });
  log.record([e('a')], at(1), meta); // still reported: the same occurrence
  t.like(log.events()[0], { count: 1, lastTimestamp: '2026-01-01T00:00:00Z' });
  log.record([], at(2), meta);
  log.record([e('a')], at(3), meta); // gone, then back: counted again
  t.like(log.events()[0], { count: 2, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:03Z' });
  log.record([e('b'), e('c')], at(4), () => undefined);
  t.deepEqual(
    log.events().map((x) => x.involvedObject.name),
    ['b', 'c'],
  );
  t.is(log.events()[0]!.involvedObject.uid, undefined);
  t.regex(log.events()[0]!.metadata.name, /^b\.[0-9a-f]{16}$/);
});
