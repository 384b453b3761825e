import test from 'ava';
import { parse, parseAllDocuments } from 'yaml';
import { parseBenchOptions, selected } from '../../perf/bench-options.ts';
import { isClean, parseAutocannonJson } from '../../perf/load-result.ts';
import { formatBytes, pairedRatioLines, proxyTable, ratioTable, routingTable, tlsTable } from '../../perf/report.ts';
import { RequestFramer } from '../../perf/request-framer.ts';
import { median, pairedRatios, ratio, summarize } from '../../perf/stats.ts';
import type { Measurement } from '../../perf/stats.ts';
import { edgewayConfig, middleHost, routingHosts } from '../../perf/systems/edgeway-config.ts';
import { findNumber } from '../../perf/systems/edgeway.ts';
import { nginxConfig, tempPathModules } from '../../perf/systems/nginx-config.ts';

const NAMES = ['direct', 'edgeway', 'http-proxy', 'nginx', 'proxy', 'routing'];

test('bench options: defaults, smoke defaults, explicit flags win', (t) => {
  const cases: ReadonlyArray<readonly [readonly string[], Record<string, unknown>]> = [
    [[], { reps: 3, durationSec: 10, warmupSec: 2, connections: 100, smoke: false, profile: false, only: [] }],
    [['--smoke'], { reps: 1, durationSec: 1, warmupSec: 1, connections: 10, smoke: true }],
    [['--smoke', '--connections', '20'], { reps: 1, connections: 20 }],
    [['--reps', '5', '--duration', '3', '--warmup', '0'], { reps: 5, durationSec: 3, warmupSec: 0 }],
    [['--only', 'edgeway, nginx'], { only: ['edgeway', 'nginx'] }],
    [['--profile'], { profile: true }],
    [[], { workers: null }],
    [['--workers', '2'], { workers: 2 }],
    [['--workers', '1'], { workers: 1 }],
  ];
  for (const [argv, expected] of cases) {
    const options = parseBenchOptions(argv, NAMES) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) t.deepEqual(options[key], value, `${argv.join(' ')}: ${key}`);
  }
});

test('bench options: bad values are refused with a message naming the flag', (t) => {
  const cases: ReadonlyArray<readonly [readonly string[], RegExp]> = [
    [['--reps', '0'], /--reps must be at least 1/],
    [['--duration', '1.5'], /--duration must be a whole number/],
    [['--connections', 'many'], /--connections must be a whole number/],
    [['--only', 'direct,ngnix'], /unknown name ngnix/],
    [['--bogus'], /bogus/],
    [['--workers', '0'], /--workers must be at least 1/],
    [['--workers', 'auto'], /--workers must be a whole number/],
  ];
  for (const [argv, message] of cases) t.throws(() => parseBenchOptions(argv, NAMES), { message }, argv.join(' '));
});

test('selected: by name, by group, or everything', (t) => {
  const all = parseBenchOptions([], NAMES);
  const some = parseBenchOptions(['--only', 'routing,direct'], NAMES);
  t.true(selected(all, 'nginx', 'proxy'));
  t.true(selected(some, 'direct', 'proxy'));
  t.true(selected(some, 'edgeway-10-hosts', 'routing'));
  t.false(selected(some, 'nginx', 'proxy'));
});

const AUTOCANNON = JSON.stringify({
  errors: 0,
  timeouts: 0,
  non2xx: 0,
  '2xx': 1000,
  latency: { p50: 1, p99: 7 },
  requests: { average: 12345.5 },
});

test('autocannon JSON is read into a LoadResult; a missing field is an error', (t) => {
  const r = parseAutocannonJson(AUTOCANNON);
  t.deepEqual(r, { requestsPerSec: 12345.5, latencyP50Ms: 1, latencyP99Ms: 7, ok2xx: 1000, non2xx: 0, errors: 0, timeouts: 0 });
  t.true(isClean(r));
  t.throws(() => parseAutocannonJson('{"requests":{}}'), { message: /requests\.average/ });
});

test('isClean: needs 2xx and nothing bad', (t) => {
  const base = parseAutocannonJson(AUTOCANNON);
  const cases: ReadonlyArray<readonly [Partial<typeof base>, boolean]> = [
    [{}, true],
    [{ ok2xx: 0 }, false],
    [{ non2xx: 1 }, false],
    [{ errors: 1 }, false],
    [{ timeouts: 1 }, false],
  ];
  for (const [change, clean] of cases) t.is(isClean({ ...base, ...change }), clean, JSON.stringify(change));
});

test('median: odd, even, empty', (t) => {
  const cases: ReadonlyArray<readonly [readonly number[], number]> = [
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
  ];
  for (const [values, expected] of cases) t.is(median(values), expected);
  t.true(Number.isNaN(median([])));
});

function m(scenario: string, bodySize: number, rep: number, rps: number | null, facts: Record<string, number> = {}): Measurement {
  const group = scenario.startsWith('edgeway-') ? 'routing' : 'proxy';
  const result =
    rps === null ? null : { requestsPerSec: rps, latencyP50Ms: rep, latencyP99Ms: rep * 10, ok2xx: 10, non2xx: 0, errors: rep === 3 ? 2 : 0, timeouts: 0 };
  return { scenario, group, bodySize, rep, result, error: rps === null ? 'did not start' : null, facts };
}

const RUN: readonly Measurement[] = [
  m('direct', 11, 1, 300),
  m('edgeway', 11, 1, 100),
  m('http-proxy', 11, 1, 50),
  m('direct', 11, 2, 320),
  m('edgeway', 11, 2, 120),
  m('http-proxy', 11, 2, 60),
  m('direct', 11, 3, 310),
  m('edgeway', 11, 3, 90),
  m('http-proxy', 11, 3, null),
  m('edgeway-10-hosts', 11, 1, 100, { compileMs: 1 }),
  m('edgeway-10000-hosts', 11, 1, 97, { compileMs: 300 }),
];

test('summarize: medians, spread, failed runs, bad responses; ratios from medians', (t) => {
  const s = summarize(RUN);
  const edgeway = s.find((x) => x.scenario === 'edgeway');
  t.deepEqual(edgeway?.requestsPerSec, { median: 100, min: 90, max: 120 });
  t.is(edgeway?.latencyP50Ms, 2);
  t.is(edgeway?.badResponses, 2);
  const proxy = s.find((x) => x.scenario === 'http-proxy');
  t.is(proxy?.runs, 2);
  t.is(proxy?.failedRuns, 1);
  t.is(proxy?.requestsPerSec.median, 55);
  t.is(ratio(s, 'edgeway', 'direct', 11), 100 / 310);
  t.true(Number.isNaN(ratio(s, 'edgeway', 'nginx', 11)));
  t.is(s.find((x) => x.scenario === 'edgeway-10000-hosts')?.facts['compileMs'], 300);
});

test('paired ratios: per repetition where both systems ran, in repetition order', (t) => {
  t.deepEqual(pairedRatios(RUN, 'edgeway', 'http-proxy', 11), [2, 2]);
  t.deepEqual(pairedRatios(RUN, 'edgeway', 'nginx', 11), []);
  t.deepEqual(pairedRatios(RUN, 'edgeway', 'direct', 16384), []);
  t.regex(pairedRatioLines(RUN, [11]), /^- edgeway\/http-proxy, 11 B: 2\.00, 2\.00 \(median 2\.00\)$/m);
  t.is(
    pairedRatioLines(
      RUN.filter((x) => x.scenario !== 'http-proxy'),
      [11],
    ),
    '',
  );
});

test('paired efficiency: requests per CPU-second, edgeway over the peer, only where both measured CPU', (t) => {
  const withCpu = (x: Measurement, cpu: number): Measurement => ({ ...x, facts: { ...x.facts, cpuMicrosPerRequest: cpu } });
  const run = RUN.map((x) =>
    x.scenario === 'edgeway' && x.rep !== 3
      ? withCpu(x, 50)
      : x.scenario === 'http-proxy' && x.rep === 1
        ? withCpu(x, 110)
        : x.scenario === 'http-proxy' && x.rep === 2
          ? withCpu(x, 125)
          : x,
  );
  t.deepEqual(pairedRatios(run, 'edgeway', 'http-proxy', 11, 'efficiency'), [2.2, 2.5]);
  t.regex(pairedRatioLines(run, [11]), /^- edgeway\/http-proxy requests per CPU-second, 11 B: 2\.20, 2\.50 \(median 2\.35\)$/m);
  t.false(pairedRatioLines(RUN, [11]).includes('CPU-second'));
});

test('report: one row per system, not-available rows, ratios, routing verdict', (t) => {
  const s = summarize(RUN);
  const table = proxyTable(s, [{ scenario: 'nginx', group: 'proxy', reason: 'no apt' }]);
  for (const name of ['direct', 'edgeway', 'http-proxy']) t.regex(table, new RegExp(`^\\| ${name} \\| 11 B \\|`, 'm'));
  t.regex(table, /^\| nginx \| not available \|/m);
  t.regex(table, /\| 2 \(1 failed\) \|$/m);
  t.regex(ratioTable(s, [11]), /^\| 11 B \| 1\.82 \| – \| – \| 0\.32 \|$/m);
  const routing = routingTable(s, [], { small: 'edgeway-10-hosts', large: 'edgeway-10000-hosts', bar: 0.05 });
  t.regex(routing, /^\| edgeway-10000-hosts \| 300 \|/m);
  t.regex(routing, /0\.97 \(meets the bar: at most 5% slower\)$/m);
  const slow = summarize([m('edgeway-10-hosts', 11, 1, 100), m('edgeway-10000-hosts', 11, 1, 90)]);
  t.regex(routingTable(slow, [], { small: 'edgeway-10-hosts', large: 'edgeway-10000-hosts', bar: 0.05 }), /FAILS the bar/);
  const noisy = summarize([m('edgeway-10-hosts', 11, 1, 100), m('edgeway-10-hosts', 11, 2, 130), m('edgeway-10000-hosts', 11, 1, 110)]);
  t.regex(
    routingTable(noisy, [], { small: 'edgeway-10-hosts', large: 'edgeway-10000-hosts', bar: 0.05 }),
    /runs spread up to 26% of their median, so this is within noise/,
  );
  t.is(formatBytes(16384), '16 KiB');
  t.is(formatBytes(11), '11 B');
});

test('workers table: rows with processes, CPU and memory; ratios of N workers over one, and against nginx', async (t) => {
  const { workersTable } = await import('../../perf/systems/workers.ts');
  const w = (scenario: string, rps: number, cpu: number, processes: number): Measurement => ({
    ...m(scenario, 11, 1, rps, { cpuMicrosPerRequest: cpu, processes, rssMbMean: 60, rssMbMax: 80 }),
    group: 'workers',
  });
  const s = summarize([w('edgeway-workers', 180, 44, 3), w('nginx-workers', 400, 21, 3), w('edgeway-1-worker', 100, 40, 1), w('nginx-1-worker', 250, 20, 1)]);
  const table = workersTable(s, [], 2);
  t.regex(table, /^\| edgeway-workers \| 3 \| 180 \| 180–180 \| 1 \| 10 \| 44\.0 \| 60, 80 \| 0 \| 1 \|$/m);
  t.regex(table, /^req\/s edgeway\/nginx: 2 worker\(s\) 0\.45, one worker 0\.40$/m);
  t.regex(table, /^req\/s with 2 worker\(s\) over one: edgeway 1\.80, nginx 1\.60$/m);
  t.regex(table, /^CPU µs per request with 2 worker\(s\) over one: edgeway 1\.10, nginx 1\.05$/m);
  t.regex(workersTable(summarize([]), [{ scenario: 'edgeway-workers', group: 'workers', reason: 'no flag' }], 2), /^\| edgeway-workers \| not available \|/m);
});

/** The value at a path in parsed YAML, without trusting its shape. */
function dig(value: unknown, ...path: ReadonlyArray<string | number>): unknown {
  let node = value;
  for (const key of path) node = typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

function docs(yamlText: string): unknown[] {
  return parseAllDocuments(yamlText).map((d) => d.toJS() as unknown);
}

test('edgeway config: Service, Endpoints, default IngressClass, Ingress rules to the backend', (t) => {
  const all = docs(edgewayConfig({ backendPort: 4321, hosts: ['bench.local'] }));
  t.deepEqual(
    all.map((d) => `${String(dig(d, 'kind'))}/${String(dig(d, 'metadata', 'namespace') ?? '')}/${String(dig(d, 'metadata', 'name'))}`),
    ['Service/bench/backend', 'Endpoints/bench/backend', 'IngressClass//edgeway', 'Ingress/bench/bench'],
  );
  t.deepEqual(dig(all[0], 'spec'), { ports: [{ name: 'http', port: 80, targetPort: 4321, protocol: 'TCP' }] });
  t.is(dig(all[1], 'subsets', 0, 'addresses', 0, 'ip'), '127.0.0.1');
  t.is(dig(all[1], 'subsets', 0, 'ports', 0, 'port'), 4321);
  t.is(dig(all[2], 'spec', 'controller'), 'edgeway.io/ingress-controller');
  t.is(dig(all[2], 'metadata', 'annotations', 'ingressclass.kubernetes.io/is-default-class'), 'true');
  t.is(dig(all[3], 'spec', 'rules', 0, 'host'), 'bench.local');
  t.deepEqual(dig(all[3], 'spec', 'rules', 0, 'http', 'paths', 0), {
    path: '/',
    pathType: 'Prefix',
    backend: { service: { name: 'backend', port: { number: 80 } } },
  });
});

test('edgeway config: large host tables are split across Ingresses, every host once', (t) => {
  const hosts = routingHosts(250);
  const ingresses = docs(edgewayConfig({ backendPort: 1, hosts })).filter((d) => dig(d, 'kind') === 'Ingress');
  t.deepEqual(
    ingresses.map((d) => dig(d, 'metadata', 'name')),
    ['bench-0', 'bench-1', 'bench-2'],
  );
  const rules = ingresses.flatMap((d) => dig(d, 'spec', 'rules') as unknown[]);
  t.deepEqual(
    rules.map((r) => dig(r, 'host')),
    hosts,
  );
  t.is(middleHost(10_000), 'h5000.bench.local');
  t.is(middleHost(10), 'h5.bench.local');
});

test('nginx config: loopback listen, upstream keep-alive, edgeway-equivalent headers and access log, paths under the prefix, only built-in temp paths', (t) => {
  const conf = nginxConfig({ prefix: '/tmp/x', listenPort: 8080, backendPort: 9090, tempPathModules: ['fastcgi'] });
  for (const line of [
    'worker_processes 1;',
    'daemon off;',
    'pid /tmp/x/nginx.pid;',
    'error_log /tmp/x/error.log warn;',
    'access_log /dev/null edgeway buffer=8k flush=200ms;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_set_header X-Request-ID $request_id;',
    'server 127.0.0.1:9090;',
    'keepalive 128;',
    'listen 127.0.0.1:8080;',
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
    'fastcgi_temp_path /tmp/x/fastcgi_temp;',
  ]) {
    t.true(conf.includes(line), line);
  }
  t.false(conf.includes('uwsgi_temp_path'));
  t.true(conf.includes('master_process off;'), 'one worker runs as one process');
  const two = nginxConfig({ prefix: '/tmp/x', listenPort: 8080, backendPort: 9090, tempPathModules: [], workerProcesses: 2 });
  t.true(two.includes('worker_processes 2;') && two.includes('master_process on;'), 'N workers run under a master');
  t.deepEqual(tempPathModules('configure arguments: --without-http_uwsgi_module --without-http_scgi_module'), ['fastcgi']);
});

test('findNumber: first matching numeric field at any depth', (t) => {
  t.is(findNumber({ snapshot: { generation: 2, compileMs: 12.5 } }, 'compileMs'), 12.5);
  t.is(findNumber({ compileMs: '12' }, 'compileMs'), undefined);
  t.is(findNumber(parse('[1, {a: {compileMs: 3}}]'), 'compileMs'), 3);
});

test('TLS bench: edgeway config with the certificate as Secret, tls entry and default; nginx listens with ssl; the TLS table and ratios', (t) => {
  const all = docs(edgewayConfig({ backendPort: 1, hosts: ['bench.local'], tls: { certPem: 'CERT', keyPem: 'KEY' } }));
  const settings = all.find((d) => dig(d, 'kind') === 'EdgewaySettings');
  t.deepEqual(dig(settings, 'spec', 'tls', 'defaultCertificate'), { namespace: 'bench', name: 'bench-tls' });
  const secret = all.find((d) => dig(d, 'kind') === 'Secret');
  t.deepEqual(dig(secret, 'stringData'), { 'tls.crt': 'CERT', 'tls.key': 'KEY' });
  t.deepEqual(
    dig(
      all.find((d) => dig(d, 'kind') === 'Ingress'),
      'spec',
      'tls',
    ),
    [{ hosts: ['bench.local'], secretName: 'bench-tls' }],
  );
  const conf = nginxConfig({
    prefix: '/tmp/x',
    listenPort: 8443,
    backendPort: 1,
    tempPathModules: [],
    tls: { certFile: '/tmp/x/tls.crt', keyFile: '/tmp/x/tls.key' },
  });
  for (const line of ['listen 127.0.0.1:8443 ssl;', 'ssl_certificate /tmp/x/tls.crt;', 'ssl_certificate_key /tmp/x/tls.key;', 'ssl_protocols TLSv1.2 TLSv1.3;'])
    t.true(conf.includes(line), line);
  const s = summarize([
    { ...m('edgeway-https', 11, 1, 500), group: 'tls' },
    { ...m('nginx-https', 11, 1, 1000), group: 'tls' },
    { ...m('edgeway-handshakes', 11, 1, 90), group: 'tls' },
    { ...m('nginx-handshakes', 11, 1, 100), group: 'tls' },
  ]);
  const table = tlsTable(s, []);
  t.regex(table, /^\| edgeway-handshakes \| new TLS connection per request \| 90 \|/m);
  t.regex(table, /^\| nginx-https \| HTTPS keep-alive \| 1,000 \|/m);
  t.regex(table, /edgeway\/nginx: HTTPS keep-alive 0\.50, new handshakes 0\.90/);
  t.false(table.includes('per repetition'), 'no per-repetition lines without the measurements');
});

test('TLS table: keep-alive and handshake ratios per repetition, the floor beside edgeway and nginx', (t) => {
  const runs: Measurement[] = [
    { ...m('edgeway-https', 11, 1, 600), group: 'tls' },
    { ...m('undici-floor-https', 11, 1, 800), group: 'tls' },
    { ...m('nginx-https', 11, 1, 1000), group: 'tls' },
    { ...m('edgeway-https', 11, 2, 700), group: 'tls' },
    { ...m('undici-floor-https', 11, 2, 700), group: 'tls' },
    { ...m('nginx-https', 11, 2, 1000), group: 'tls' },
  ];
  const table = tlsTable(summarize(runs), [], runs);
  t.regex(table, /^- edgeway-https\/nginx-https: 0\.60, 0\.70 \(median 0\.65\)$/m);
  t.regex(table, /^- undici-floor-https\/nginx-https: 0\.80, 0\.70 \(median 0\.75\)$/m);
  t.regex(table, /^- edgeway-https\/undici-floor-https: 0\.75, 1\.00 \(median 0\.88\)$/m);
  // Handshakes were not measured in this run: no line for them.
  t.false(table.includes('handshakes/'));
});

test('processCpuMicros reads this process from /proc, and gives undefined for a pid that is not there', async (t) => {
  const { processCpuMicros } = await import('../../perf/process-cpu.ts');
  const own = processCpuMicros(process.pid);
  t.true(own === undefined || (Number.isFinite(own) && own >= 0));
  t.is(processCpuMicros(undefined), undefined);
  t.is(processCpuMicros(2 ** 30), undefined);
});

test('processTree and its CPU and memory: this process and the child it started, summed', async (t) => {
  const { processTree, processTreeCpuMicros, processTreeRssMb, processCpuMicros } = await import('../../perf/process-cpu.ts');
  const { spawn } = await import('node:child_process');
  t.deepEqual(processTree(undefined), []);
  t.is(processTreeCpuMicros(undefined), undefined);
  const child = spawn(process.execPath, ['-e', 'process.stdin.resume()'], { stdio: ['pipe', 'ignore', 'ignore'] });
  t.teardown(() => child.kill());
  await new Promise((resolve) => child.once('spawn', resolve));
  const tree = processTree(process.pid);
  const own = processCpuMicros(process.pid);
  if (own === undefined) {
    t.pass('no /proc here');
    return;
  }
  t.is(tree[0], process.pid);
  t.true(child.pid !== undefined && tree.includes(child.pid), 'the child is in the tree');
  t.true((processTreeCpuMicros(process.pid) ?? 0) >= own, 'the tree used at least what this process did');
  const rss = processTreeRssMb(process.pid);
  t.true(rss.length >= 2, 'this process and its child at least');
  t.true(rss.every((mb) => mb > 0));
});

test('syscallCounts reads read and write syscalls of this process from /proc/PID/io; NaN where there is none', async (t) => {
  const { syscallCounts } = await import('../../perf/process-cpu.ts');
  const own = syscallCounts(process.pid);
  // Where /proc is there this process has read its own modules; elsewhere both are NaN.
  t.true(Number.isNaN(own.reads) || own.reads > 0);
  t.true(Number.isNaN(own.writes) || own.writes >= 0);
  t.deepEqual(syscallCounts(undefined), { reads: Number.NaN, writes: Number.NaN });
  t.deepEqual(syscallCounts(2 ** 30), { reads: Number.NaN, writes: Number.NaN });
});

test('addGcTraceLine sums --trace-gc-nvp records by kind and ignores every other line', async (t) => {
  const { addGcTraceLine, emptyGcTally } = await import('../../perf/gc-trace.ts');
  const tally = emptyGcTally();
  const lines = [
    '[1:0x1:0]     3529 ms: pause=1.3 mutator=795.6 gc=s reduce_memory=0 scavenge=1.28 background.scavenge.parallel=0.77 promoted=24496',
    '[1:0x1:0]     5054 ms: pause=5.7 mutator=71.4 gc=mc reduce_memory=0 mark=3.3 incremental=8.8 incremental.steps_count=247 background.mark=47.9 background.sweep=0.1',
    '[1:0x1:0]     5153 ms: pause=4.3 mutator=60.0 gc=mc reduce_memory=0 incremental=0.7 background.mark=12.1',
    '{"level":30,"msg":"request","path":"/gc=mc pause=9"}',
    'edgeway: loaded 4 objects',
  ];
  for (const line of lines) addGcTraceLine(tally, line);
  t.is(tally.scavenges, 1);
  t.is(tally.fullCollections, 2);
  t.is(Math.round(tally.scavengeMs * 10), 13);
  t.is(Math.round(tally.fullMainMs * 10), 195);
  t.is(Math.round(tally.fullBackgroundMs * 10), 600);
});

test('request framer: where each request ends, across chunks, with bodies skipped, HEAD and close noted', (t) => {
  const get = 'GET / HTTP/1.1\r\nhost: a\r\n\r\n';
  type Framed = ReturnType<RequestFramer['push']>;
  const ka = { isHead: false, close: false };
  const nothing: Framed = [];
  const cases: ReadonlyArray<readonly [string, readonly string[], readonly Framed[]]> = [
    ['one request in one chunk', [get], [[ka]]],
    ['two pipelined in one chunk', [get + get], [[ka, ka]]],
    ['a head split inside its blank line', [get.slice(0, -3), get.slice(-3)], [[], [ka]]],
    ['a head split byte by byte', [...get], [...[...get.slice(1)].map(() => nothing), [ka]]],
    ['a Content-Length body is skipped, also when it arrives later', ['POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab', 'c', 'de' + get], [[ka], [], [ka]]],
    ['HEAD', ['HEAD / HTTP/1.1\r\n\r\n'], [[{ isHead: true, close: false }]]],
    ['connection: close, any case, among other tokens', ['GET / HTTP/1.1\r\nConnection: TE, Close\r\n\r\n'], [[{ isHead: false, close: true }]]],
    ['HTTP/1.0 is answered and closed', ['GET / HTTP/1.0\r\n\r\n'], [[{ isHead: false, close: true }]]],
    ['a header merely containing "close" does not close', ['GET / HTTP/1.1\r\nx-note: closed\r\n\r\n'], [[ka]]],
  ];
  for (const [name, chunks, expected] of cases) {
    const framer = new RequestFramer();
    t.deepEqual(
      chunks.map((c) => framer.push(Buffer.from(c, 'latin1'))),
      expected,
      name,
    );
  }
});

test('request framer: a chunked body or an endless head is an error, not a misread', (t) => {
  t.throws(() => new RequestFramer().push(Buffer.from('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n')), { message: /chunked/ });
  const framer = new RequestFramer();
  t.throws(() => framer.push(Buffer.alloc(70 * 1024, 'a')), { message: /over 65536 bytes/ });
});
