/**
 * /metrics: method and status classes as tables, then a real scrape after traffic, parsed by a strict Prometheus
 * text-format parser written here (every sample belongs to a declared family, names and labels are well-formed,
 * histogram buckets are cumulative and end in +Inf), and checked for names, types and bounded labels.
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { methodClass, METHOD_CLASSES, STATUS_CLASSES, statusClass } from '../../src/metrics/label-classes.ts';
import { startEdgeway } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints } from '../helpers/manifests.ts';
import { listen } from '../helpers/servers.ts';
import { ca, leaf, tlsSecret } from '../fixtures/tls-fixtures.ts';

test('method and status classes are a bounded set', (t) => {
  const methods: readonly [string | undefined, string][] = [
    ['GET', 'GET'],
    ['HEAD', 'HEAD'],
    ['POST', 'POST'],
    ['PATCH', 'PATCH'],
    ['DELETE', 'DELETE'],
    ['PROPFIND', 'OTHER'],
    ['get', 'OTHER'],
    [undefined, 'OTHER'],
  ];
  for (const [m, cls] of methods) t.is<string | undefined, string>(METHOD_CLASSES[methodClass(m)], cls, String(m));
  const statuses: readonly [number, string][] = [
    [101, '1xx'],
    [200, '2xx'],
    [204, '2xx'],
    [301, '3xx'],
    [404, '4xx'],
    [499, '4xx'],
    [503, '5xx'],
    [0, 'other'],
    [600, 'other'],
  ];
  for (const [s, cls] of statuses) t.is<string | undefined, string>(STATUS_CLASSES[statusClass(s)], cls, String(s));
});

interface Family {
  type: string;
  help: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** A strict parser for the Prometheus text format 0.0.4 as prom-client writes it; throws on anything unexpected. */
function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
  const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
  const familyOf = (name: string): Family | undefined => {
    const direct = families.get(name);
    if (direct !== undefined) return direct;
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (!name.endsWith(suffix)) continue;
      const f = families.get(name.slice(0, -suffix.length));
      if (f !== undefined && (f.type === 'histogram' || f.type === 'summary')) return f;
    }
    return undefined;
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const [name, ...help] = line.slice(7).split(' ');
      if (!NAME.test(name!) || families.has(name!)) throw new Error(`bad or repeated HELP: ${line}`);
      families.set(name!, { type: '', help: help.join(' '), samples: [] });
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      const f = families.get(name!);
      if (f === undefined || !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type!)) throw new Error(`bad TYPE: ${line}`);
      f.type = type!;
      continue;
    }
    if (line.startsWith('#')) throw new Error(`unexpected comment: ${line}`);
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`bad sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const at = LABEL.lastIndex;
      const l = LABEL.exec(body);
      if (l === null || l.index !== at) throw new Error(`bad labels: ${line}`);
      labels[l[1]!] = l[2]!;
    }
    // Prometheus reads values with Go's ParseFloat, which takes NaN and Inf in any case (prom-client writes `Nan`).
    const raw = m[3]!;
    const value = /^[+]?inf$/i.test(raw) ? Infinity : /^-inf$/i.test(raw) ? -Infinity : /^nan$/i.test(raw) ? Number.NaN : Number(raw);
    if (Number.isNaN(value) && !/^nan$/i.test(raw)) throw new Error(`bad value: ${line}`);
    const f = familyOf(m[1]!);
    if (f === undefined) throw new Error(`sample without a declared family: ${line}`);
    f.samples.push({ name: m[1]!, labels, value });
  }
  return families;
}

test('a scrape after traffic parses strictly and has the documented names, types and bounded labels', async (t) => {
  const backend = await listen(t, (req, res) => {
    res.statusCode = req.url === '/missing' ? 404 : 200;
    res.end('ok');
  });
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: backend.port }]),
      ingress('web', [{ host: 'web.test', path: '/', service: 'web' }]),
    ),
  );
  for (let i = 0; i < 3; i++) t.is((await httpGet(`${gw.url}/a/${i}?q=${i}`, { host: 'web.test' })).status, 200);
  t.is((await httpGet(`${gw.url}/missing`, { host: 'web.test' }, 'POST', 'x')).status, 404);
  t.is((await httpGet(`${gw.url}/`, { host: 'web.test' }, 'PROPFIND')).status, 200);
  t.is((await httpGet(`${gw.url}/`, { host: 'random-host-123.test' })).status, 404);

  const reply = await httpGet(`${gw.adminUrl}/metrics`);
  t.is(reply.status, 200);
  t.regex(String(reply.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const families = parsePrometheus(reply.text);

  const types: Record<string, string> = {
    edgeway_requests_total: 'counter',
    edgeway_request_duration_seconds: 'histogram',
    edgeway_upstream_response_headers_seconds: 'histogram',
    edgeway_upstream_connections: 'gauge',
    edgeway_upstream_connections_free: 'gauge',
    edgeway_upstream_requests_pending: 'gauge',
    edgeway_upstream_requests_running: 'gauge',
    edgeway_endpoints: 'gauge',
    edgeway_config_reloads_total: 'counter',
    edgeway_config_generation: 'gauge',
    edgeway_config_last_reload_success_timestamp_seconds: 'gauge',
    edgeway_certificate_expiry_timestamp_seconds: 'gauge',
    edgeway_address_pool_addresses: 'gauge',
    edgeway_address_pool_addresses_used: 'gauge',
    edgeway_upstream_endpoints_healthy: 'gauge',
    edgeway_upstream_endpoints_ejected: 'gauge',
    edgeway_upstream_ejections: 'gauge',
    edgeway_upstream_panic: 'gauge',
    edgeway_upstream_retries_total: 'counter',
    edgeway_upstream_retry_budget_exhausted_total: 'counter',
    edgeway_upgrade_tunnels: 'gauge',
    edgeway_limit_rejections_total: 'counter',
    edgeway_overload_rejections_total: 'counter',
    edgeway_frontdoor_rejections_total: 'counter',
    process_cpu_seconds_total: 'counter',
    nodejs_eventloop_lag_seconds: 'gauge',
  };
  for (const [name, type] of Object.entries(types)) t.is(families.get(name)?.type, type, name);
  for (const name of families.keys()) {
    if (name.startsWith('edgeway_')) t.regex(name, /^edgeway_[a-z_]+$/, name);
  }

  const requests = families.get('edgeway_requests_total')!.samples;
  const count = (labels: Record<string, string>) => requests.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  t.is(count({ ingress: 'default/web', service: 'default/web', method: 'GET', status: '2xx' }), 3);
  t.is(count({ ingress: 'default/web', service: 'default/web', method: 'POST', status: '4xx' }), 1);
  t.is(count({ ingress: 'default/web', service: 'default/web', method: 'OTHER', status: '2xx' }), 1);
  t.is(count({ ingress: '', service: '', method: 'GET', status: '4xx' }), 1);
  // Bounded labels: neither the client's path nor its Host appears anywhere.
  t.false(reply.text.includes('random-host-123'));
  t.false(reply.text.includes('/a/1'));
  for (const s of requests) t.deepEqual(Object.keys(s.labels).sort(), ['ingress', 'method', 'service', 'status']);

  const duration = families.get('edgeway_request_duration_seconds')!.samples.filter((s) => s.labels['ingress'] === 'default/web');
  const buckets = duration.filter((s) => s.name.endsWith('_bucket'));
  t.is(buckets.at(-1)?.labels['le'], '+Inf');
  t.true(
    buckets.every((b, i) => i === 0 || b.value >= buckets[i - 1]!.value),
    'buckets are cumulative',
  );
  t.is(duration.find((s) => s.name.endsWith('_count'))?.value, 5);
  t.is(buckets.at(-1)?.value, 5);
  t.is(families.get('edgeway_upstream_response_headers_seconds')!.samples.find((s) => s.name.endsWith('_count'))?.value, 5);

  const gauge = (name: string, labels: Record<string, string>) =>
    families.get(name)!.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  t.is(gauge('edgeway_endpoints', { service: 'default/web', port: '80', ready: 'true' }), 1);
  t.is(gauge('edgeway_endpoints', { service: 'default/web', port: '80', ready: 'false' }), 0);
  t.is(gauge('edgeway_upstream_endpoints_healthy', { service: 'default/web', port: '80' }), 1);
  t.is(gauge('edgeway_upstream_endpoints_ejected', { service: 'default/web', port: '80' }), 0);
  t.is(gauge('edgeway_upstream_panic', { service: 'default/web', port: '80' }), 0);
  t.true((gauge('edgeway_upstream_connections', { service: 'default/web' }) ?? 0) >= 1);
  t.is(gauge('edgeway_config_generation', {}), 1);

  // Certificate expiry per Secret in use, from the snapshot's TLS material (read at scrape).
  const pair = leaf(ca(), ['web.test']);
  const secret = JSON.stringify(tlsSecret('web-tls', pair));
  const withTls = docs(
    INGRESS_CLASS,
    serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: backend.port }]),
    ingress('web', [{ host: 'web.test', path: '/', service: 'web' }]).replace('spec:\n', 'spec:\n  tls: [{hosts: [web.test], secretName: web-tls}]\n'),
    secret + '\n',
  );
  await writeFile(join(gw.dir, 'config.yaml'), withTls);

  t.true((await gw.edgeway.reload('api')).ok);
  const after = parsePrometheus((await httpGet(`${gw.adminUrl}/metrics`)).text);
  const expiry = after.get('edgeway_certificate_expiry_timestamp_seconds')!.samples.find((x) => x.labels['secret'] === 'default/web-tls');
  t.truthy(expiry, 'the TLS Secret in use has an expiry gauge');
  t.true(expiry!.value * 1000 > Date.now());
  t.is(after.get('edgeway_config_generation')!.samples[0]!.value, 2);
  t.is(after.get('edgeway_config_reloads_total')!.samples.find((s) => s.labels['result'] === 'success')?.value, 1);
  // Counters survive the reload.
  t.is(after.get('edgeway_requests_total')!.samples.find((s) => s.labels['method'] === 'GET' && s.labels['status'] === '2xx')?.value, 3);
});
