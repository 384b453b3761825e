/**
 * The watch bar of the Kubernetes-compatible API: a watch event reaches a watcher within 100 ms of the write being
 * applied. A watcher (`GET /api/v1/namespaces/perf/services?watch=1`, as kubectl get -w opens it) stays open while
 * --writes API writes run one after another: each creates a Service (POST), answered once the reload that applies it
 * is done. For each write two times are taken on this side's clock: from sending the write to its event arriving
 * (the whole path: body, validation, the reload, the generation swap, the watch stream), and from the write's response
 * arriving to the event arriving (the bar: the response means the write is applied; 0 when the event came first, as
 * it does when the swap publishes events before the write is answered). --services puts that many more Services in
 * the configuration, so each reload and swap works over a realistic store. With --watchers N, N watches are open and
 * an event counts as arrived when the last of them has it; with --table they ask for Tables, as `kubectl get -w` does.
 *
 * Usage: node perf/tools/api-watch-latency.ts [--cli dist/cli/main.js] [--writes 100] [--services 0] [--watchers 1]
 *   [--table]. Build first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adminAgent, adminRequest, startApiEdgeway } from '../api-edgeway.ts';
import { ChildProcesses } from '../child-processes.ts';
import { startBackend } from '../node-child.ts';
import { serviceList } from '../systems/service-list.ts';

const { values } = parseArgs({
  options: {
    cli: { type: 'string', default: 'dist/cli/main.js' },
    writes: { type: 'string', default: '100' },
    services: { type: 'string', default: '0' },
    watchers: { type: 'string', default: '1' },
    table: { type: 'boolean', default: false },
  },
});
const writes = Number(values.writes);
const watchers = Number(values.watchers);

/** A watch line: the object, or with --table a one-row Table whose row carries the object's metadata. */
interface WatchLine {
  readonly type: string;
  readonly object: {
    readonly metadata?: { readonly name: string };
    readonly rows?: readonly { readonly object: { readonly metadata: { readonly name: string } } }[];
  };
}
const NAMESPACE = 'perf';

const procs = new ChildProcesses();
const dir = await mkdtemp(join(tmpdir(), 'edgeway-api-watch-'));
const guard = setTimeout(() => {
  process.stderr.write('api-watch-latency: gave up after 4 minutes\n');
  void procs.stopAll().then(() => process.exit(1));
}, 240_000);
try {
  const backend = await startBackend(procs, 11);
  const services = Number(values.services);
  const namespace = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NAMESPACE}\n`;
  const extra = services > 0 ? `${namespace}---\n${serviceList(services, 0, true)}` : namespace;
  const edgeway = await startApiEdgeway(procs, 'edgeway', { cli: values.cli, dir, backendPort: backend.port, extra, readyMs: 180_000 });

  // name → how many watchers have its ADDED event, and when the last of them got it.
  const arrived = new Map<string, { count: number; at: number }>();
  const waiting = new Map<string, () => void>();
  const accept = values.table ? 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' : 'application/json';
  const openWatch = (): Promise<ClientRequest> =>
    new Promise((resolve, reject) => {
      const watch = request(`${edgeway.admin}/api/v1/namespaces/${NAMESPACE}/services?watch=1&allowWatchBookmarks=true`, {
        rejectUnauthorized: false,
        agent: false,
        headers: { accept },
      });
      watch.on('response', (res) => {
        if (res.statusCode !== 200) reject(new Error(`watch: ${res.statusCode}`));
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          pending += chunk;
          let nl: number;
          while ((nl = pending.indexOf('\n')) >= 0) {
            const event = JSON.parse(pending.slice(0, nl)) as WatchLine;
            pending = pending.slice(nl + 1);
            if (event.type !== 'ADDED') continue;
            const name = event.object.rows?.[0]?.object.metadata.name ?? event.object.metadata?.name ?? '';
            const seen = arrived.get(name) ?? { count: 0, at };
            arrived.set(name, { count: seen.count + 1, at });
            if (seen.count + 1 === watchers) waiting.get(name)?.();
          }
        });
        resolve(watch);
      });
      watch.on('error', reject);
      watch.end();
    });
  const open: ClientRequest[] = [];
  for (let i = 0; i < watchers; i++) open.push(await openWatch());

  const fromWrite: number[] = [];
  const fromResponse: number[] = [];
  for (let i = 0; i < writes; i++) {
    const name = `w-${i}`;
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: NAMESPACE },
      spec: { clusterIP: 'None', selector: { app: name }, ports: [{ port: 80 }] },
    });
    const event = new Promise<void>((resolve) => {
      if (arrived.get(name)?.count === watchers) resolve();
      else waiting.set(name, resolve);
    });
    const sent = performance.now();
    const answer = await adminRequest(`${edgeway.admin}/api/v1/namespaces/${NAMESPACE}/services`, 'POST', { 'content-type': 'application/json' }, body);
    const answered = performance.now();
    if (answer.status !== 201) throw new Error(`create ${name}: ${answer.status} ${answer.body.slice(0, 300)}`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      event,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no watch event for ${name} on every watcher within 10 s`)), 10_000))),
    ]);
    clearTimeout(timer);
    const at = arrived.get(name)!.at;
    fromWrite.push(at - sent);
    fromResponse.push(Math.max(0, at - answered));
  }
  for (const watch of open) watch.destroy();
  adminAgent.destroy();

  const pct = (ms: readonly number[], p: number): string => {
    const sorted = [...ms].sort((x, y) => x - y);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!.toFixed(1);
  };
  const firstBefore = fromResponse.filter((ms) => ms === 0).length;
  process.stdout.write(
    `\n| ${writes} writes, ${services} other Services, ${watchers} watcher(s)${values.table ? ' as Table' : ''} | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|\n`,
  );
  process.stdout.write(`| write sent → event | ${pct(fromWrite, 50)} | ${pct(fromWrite, 99)} | ${pct(fromWrite, 100)} |\n`);
  process.stdout.write(`| write answered → event | ${pct(fromResponse, 50)} | ${pct(fromResponse, 99)} | ${pct(fromResponse, 100)} |\n`);
  process.stdout.write(`events that arrived before the write's response: ${firstBefore} of ${writes}\n`);
  process.stdout.write(Number(pct(fromResponse, 99)) < 100 ? 'bar met: p99 under 100 ms after the write is applied\n' : 'bar missed: p99 of 100 ms or more\n');
} finally {
  clearTimeout(guard);
  await procs.stopAll();
  await rm(dir, { recursive: true, force: true });
}
