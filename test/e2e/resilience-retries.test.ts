/**
 * Retries: the policy compiled from annotations (a table, with diagnostics at the annotation's line), the pure
 * decision and budget as tables, and real retries through edgeway on loopback backends: 5xx, connect failures,
 * per-try timeouts, idempotency and the budget that keeps a failing backend from being hammered.
 */
import test from 'ava';
import type { RequestListener } from 'node:http';
import { loadConfigText } from '../../src/config/load-config.ts';
import { mayRetryError, mayRetryStatus } from '../../src/dataplane/request/retry-decision.ts';
import { RetryBudget } from '../../src/dataplane/upstream/retry-budget.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { startEdgeway } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen, unusedPort } from '../helpers/servers.ts';

function annotate(yaml: string, name: string, annotations: Record<string, string>): string {
  if (Object.keys(annotations).length === 0) return yaml;
  const lines = Object.entries(annotations)
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return yaml.replace(`metadata:\n  name: ${name}\n`, `metadata:\n  name: ${name}\n  annotations:\n${lines}\n`);
}

function compile(yaml: string) {
  const load = loadConfigText([{ path: 'c.yaml', text: yaml }]);
  return compileSnapshot(new ObjectStore(load.objects), load.settings, 1);
}

test('route policy from annotations: edgeway.io wins over nginx, nginx tries count the first, bad values are located', (t) => {
  const base = docs(INGRESS_CLASS, serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: 1 }]));
  const table: readonly [
    Record<string, string>,
    Partial<{
      retries: number;
      statuses: number[];
      reset: boolean;
      timeout: boolean;
      perTry: number;
      read: number;
      body: number;
      connect: number;
      send: number;
    }>,
    string[],
  ][] = [
    [{}, { retries: 2, statuses: [], reset: true, perTry: 0, read: 0, body: 100 * 1024 * 1024, connect: 0, send: 0 }, []],
    [
      { 'edgeway.io/retry-attempts': '4', 'edgeway.io/retry-on': 'connect-failure,reset,502,503,504', 'edgeway.io/per-try-timeout': '2s' },
      { retries: 4, statuses: [502, 503, 504], perTry: 2000 },
      [],
    ],
    [
      { 'nginx.ingress.kubernetes.io/proxy-next-upstream': 'error timeout http_503', 'nginx.ingress.kubernetes.io/proxy-next-upstream-tries': '3' },
      { retries: 2, statuses: [503], timeout: true, reset: true },
      [],
    ],
    [{ 'nginx.ingress.kubernetes.io/proxy-next-upstream': 'off' }, { statuses: [], reset: false }, []],
    [{ 'nginx.ingress.kubernetes.io/proxy-next-upstream': 'error non_idempotent' }, { reset: true }, ['EW_ANNOTATION_IGNORED']],
    [
      { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '30', 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' },
      { read: 30_000, body: 8 * 1024 * 1024 },
      [],
    ],
    [{ 'nginx.ingress.kubernetes.io/proxy-body-size': '0' }, { body: 0 }, []],
    [{ 'nginx.ingress.kubernetes.io/proxy-connect-timeout': '5', 'nginx.ingress.kubernetes.io/proxy-send-timeout': '750ms' }, { connect: 5000, send: 750 }, []],
    [{ 'nginx.ingress.kubernetes.io/proxy-connect-timeout': '0' }, { connect: 0 }, ['EW_ANNOTATION_INVALID']],
    [{ 'nginx.ingress.kubernetes.io/proxy-send-timeout': 'soon' }, { send: 0 }, ['EW_ANNOTATION_INVALID']],
    [{ 'edgeway.io/retry-on': 'reset,418' }, { reset: true, statuses: [] }, ['EW_ANNOTATION_INVALID']],
    [{ 'edgeway.io/retry-attempts': 'many' }, { retries: 2 }, ['EW_ANNOTATION_INVALID']],
    [{ 'nginx.ingress.kubernetes.io/proxy-body-size': '8 megs' }, { body: 100 * 1024 * 1024 }, ['EW_ANNOTATION_INVALID']],
  ];
  for (const [annotations, want, codes] of table) {
    const snapshot = compile(docs(base, annotate(ingress('web', [{ host: 'a.test', path: '/', service: 'svc' }]), 'web', annotations)));
    const policy = snapshot.routes.match('a.test', '/')!.policy;
    const label = JSON.stringify(annotations);
    if (want.retries !== undefined) t.is(policy.retry.retries, want.retries, label);
    if (want.statuses !== undefined) t.deepEqual(policy.retry.on.statuses, want.statuses, label);
    if (want.reset !== undefined) t.is(policy.retry.on.reset, want.reset, label);
    if (want.timeout !== undefined) t.is(policy.retry.on.timeout, want.timeout, label);
    if (want.perTry !== undefined) t.is(policy.retry.perTryTimeoutMs, want.perTry, label);
    if (want.read !== undefined) t.is(policy.readTimeoutMs, want.read, label);
    if (want.body !== undefined) t.is(policy.maxBodyBytes, want.body, label);
    if (want.connect !== undefined) t.is(policy.connectTimeoutMs, want.connect, label);
    if (want.send !== undefined) t.is(policy.sendTimeoutMs, want.send, label);
    const found = snapshot.diagnostics.filter((d) => d.code.startsWith('EW_ANNOTATION'));
    t.deepEqual(
      found.map((d) => d.code),
      codes,
      label,
    );
    for (const d of found) {
      t.is(d.object, 'Ingress default/web', label);
      t.regex(d.field ?? '', /^metadata\.annotations\./, label);
      t.true((d.position?.line ?? 0) > 1, `${label}: located at the annotation`);
    }
  }
});

test('retry decision: what may be sent again', (t) => {
  const on = { connectFailure: true, reset: true, timeout: false, statuses: [503] };
  const table: readonly [Parameters<typeof mayRetryError>[1], boolean, boolean, boolean, boolean][] = [
    // kind, written, idempotent, hasBody → retry
    ['connect-failure', false, false, true, true],
    ['reset', false, false, true, true],
    ['reset', true, true, false, true],
    ['reset', true, false, false, false],
    ['reset', true, true, true, false],
    ['timeout', true, true, false, false],
    ['other', true, true, false, false],
  ];
  for (const [kind, written, idem, body, want] of table) t.is(mayRetryError(on, kind, written, idem, body), want, `${kind} ${written} ${idem} ${body}`);
  t.true(mayRetryStatus(on, 503, true, false));
  t.false(mayRetryStatus(on, 503, false, false), 'POST never retried on a 5xx');
  t.false(mayRetryStatus(on, 503, true, true), 'a streamed body cannot be replayed');
  t.false(mayRetryStatus(on, 502, true, false));
});

test('retry budget: at most the ratio of requests over the sliding window, with a floor', (t) => {
  const budget = new RetryBudget({ ratio: 0.2, windowMs: 1000, minRetries: 2 });
  for (let i = 0; i < 100; i++) budget.request(i);
  let allowed = 0;
  for (let i = 0; i < 50; i++) if (budget.tryRetry(100)) allowed++;
  t.is(allowed, 20);
  // A second later the window has slid past all of it: only the floor is left.
  let later = 0;
  for (let i = 0; i < 10; i++) if (budget.tryRetry(2000)) later++;
  t.is(later, 2);
});

async function backendServer(t: Parameters<typeof listen>[0], handler: RequestListener) {
  return listen(t, handler);
}

/** Outlier detection is off here: these tests watch retries, and ejecting the failing endpoint would hide them. */
function twoEndpoints(a: number, b: number, annotations: Record<string, string>): string {
  return docs(
    INGRESS_CLASS,
    settings('outlierDetection: {enabled: false}'),
    serviceWithEndpoints(
      'svc',
      [
        { ip: '127.0.0.1', port: a },
        { ip: '127.0.0.2', port: b },
      ].filter((e) => e.port !== 0),
    ),
    annotate(ingress('web', [{ host: 'r.test', path: '/', service: 'svc' }]), 'web', annotations),
  );
}

test('a 503 from one endpoint is retried on the other for GET, never for POST', async (t) => {
  let bad = 0;
  const failing = await backendServer(t, (req, res) => {
    bad++;
    req.resume();
    res.statusCode = 503;
    res.end('busy');
  });
  const good = await listen(
    t,
    (req, res) => {
      req.resume();
      res.end('fine');
    },
    '127.0.0.2',
  );
  const gw = await startEdgeway(t, twoEndpoints(failing.port, good.port, { 'edgeway.io/retry-on': 'connect-failure,reset,503' }));
  for (let i = 0; i < 10; i++) {
    const r = await httpGet(`${gw.url}/x`, { host: 'r.test' });
    t.is(r.status, 200, `GET ${i}`);
    t.is(r.text, 'fine');
  }
  t.true(bad > 0, 'the failing endpoint was tried');
  const statuses = new Set<number>();
  for (let i = 0; i < 6; i++) statuses.add((await httpGet(`${gw.url}/x`, { host: 'r.test' }, 'POST', 'body')).status);
  t.true(statuses.has(503), 'a POST that got a 503 is not retried');
});

test('connection refused is retried for any method: the request never left edgeway', async (t) => {
  const dead = await unusedPort();
  const seen: string[] = [];
  const good = await listen(
    t,
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push(`${req.method} ${Buffer.concat(chunks).toString()}`);
        res.end('ok');
      });
    },
    '127.0.0.2',
  );
  const gw = await startEdgeway(t, twoEndpoints(dead, good.port, {}));
  // Four of each: with one endpoint of two dead, half the requests need a retry, and the budget's floor (10) covers
  // that many (in production, outlier detection would eject the dead endpoint).
  for (let i = 0; i < 4; i++) {
    const post = await httpGet(`${gw.url}/`, { host: 'r.test' }, 'POST', `p${i}`);
    t.is(post.status, 200, `${post.text} ${JSON.stringify(gw.edgeway.resilience)}`);
    t.is((await httpGet(`${gw.url}/`, { host: 'r.test' })).status, 200);
  }
  t.is(seen.filter((s) => s.startsWith('POST')).length, 4, 'each POST ran exactly once, with its body');
  t.true(seen.includes('POST p0') && seen.includes('POST p3'));
});

test('a per-try timeout moves a GET from a hung endpoint to a live one', async (t) => {
  const hung = await backendServer(t, () => {
    /* never answers */
  });
  const good = await listen(t, (_req, res) => res.end('ok'), '127.0.0.2');
  const gw = await startEdgeway(
    t,
    twoEndpoints(hung.port, good.port, { 'edgeway.io/retry-on': 'connect-failure,reset,timeout', 'edgeway.io/per-try-timeout': '200ms' }),
  );
  // Two requests: round robin sends one of them to the hung endpoint first. (undici's header timer ticks about
  // every half second, so a per-try timeout is honoured to within about that.)
  for (let i = 0; i < 2; i++) t.is((await httpGet(`${gw.url}/`, { host: 'r.test' })).status, 200);
});

test('proxy-read-timeout answers 504 when the backend stays silent', async (t) => {
  const hung = await backendServer(t, () => {
    /* never answers */
  });
  const gw = await startEdgeway(t, twoEndpoints(hung.port, 0, { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '1' }));
  const r = await httpGet(`${gw.url}/`, { host: 'r.test' });
  t.is(r.status, 504);
  t.is(r.headers['x-edgeway-error'], 'EDGEWAY_UPSTREAM_TIMEOUT');
});

test('the retry budget keeps a failing backend from getting (1 + retries) times its traffic', async (t) => {
  let hits = 0;
  const failing = await backendServer(t, (_req, res) => {
    hits++;
    res.statusCode = 503;
    res.end();
  });
  const gw = await startEdgeway(t, twoEndpoints(failing.port, 0, { 'edgeway.io/retry-on': '503', 'edgeway.io/retry-attempts': '5' }));
  for (let i = 0; i < 100; i++) t.is((await httpGet(`${gw.url}/`, { host: 'r.test' })).status, 503);
  // 100 requests, budget 20% (floor 10): at most 120 reach the backend, not 600.
  t.true(hits <= 120, `${hits} requests reached the backend`);
  t.true(hits >= 110, `${hits}: retries did happen within the budget`);
  t.true(gw.edgeway.resilience.budgetExhausted > 0);
});
