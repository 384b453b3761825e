/**
 * The EdgewaySettings document: defaults, every field filled from YAML, the parsers as tables, schema errors with
 * their positions, per-field fallback to defaults, and a second settings document.
 */
import test from 'ava';
import { loadConfigText } from '../../src/config/load-config.ts';
import { DEFAULT_SETTINGS } from '../../src/config/settings-defaults.ts';
import { isCidr, parseDuration, parseHostPort } from '../../src/config/settings-document.ts';

const doc = (spec: string): string => `apiVersion: edgeway.io/v1alpha1\nkind: EdgewaySettings\nmetadata:\n  name: main\nspec:\n${spec}`;

test('parseDuration: Go-style durations in whole milliseconds', (t) => {
  const table: readonly [string, number | undefined][] = [
    ['500ms', 500],
    ['5s', 5000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['0', 0],
    ['0s', 0],
    ['250us', 1],
    ['10ns', 1],
    ['', undefined],
    ['5', undefined],
    ['5 s', undefined],
    ['-5s', undefined],
    ['5d', undefined],
    ['s', undefined],
  ];
  for (const [text, ms] of table) t.is(parseDuration(text), ms, JSON.stringify(text));
});

test('parseHostPort: host:port with IPv6 in brackets', (t) => {
  const table: readonly [string, { host: string; port: number } | undefined][] = [
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['::1:8080', undefined],
    ['127.0.0.1', undefined],
    ['127.0.0.1:65536', undefined],
    ['300.1.1.1:80', undefined],
    ['[127.0.0.1]:80', undefined],
    [':8080', undefined],
  ];
  for (const [text, hp] of table) t.deepEqual(parseHostPort(text), hp, text);
});

test('isCidr', (t) => {
  const table: readonly [string, boolean][] = [
    ['10.0.0.0/8', true],
    ['fd00::/8', true],
    ['10.0.0.0/33', false],
    ['10.0.0.0', false],
    ['x/8', false],
    ['::/129', false],
  ];
  for (const [text, ok] of table) t.is(isCidr(text), ok, text);
});

test('no settings document: defaults', (t) => {
  const load = loadConfigText([{ path: 'a.yaml', text: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n' }]);
  t.deepEqual(load.settings, DEFAULT_SETTINGS);
  t.deepEqual(load.settings.http, { host: '127.0.0.1', port: 8080 });
  t.is(load.settings.https, null);
  t.deepEqual(load.settings.admin, { host: '127.0.0.1', port: 9901 });
  t.is(load.settings.controllerName, 'edgeway.io/ingress-controller');
  t.is(load.settings.maxConfigBytes, 16 * 1024 * 1024);
});

test('every field is read from the document, and it is not among the objects', (t) => {
  const text = doc(`  entrypoints:
    http: {address: "0.0.0.0:80"}
    https: {address: "[::1]:443"}
  tls: {defaultCertificate: {namespace: edge, name: fallback-cert}, certificatesDir: /etc/edgeway/certs, minVersion: TLSv1.3, ciphers: "ECDHE-RSA-AES128-GCM-SHA256"}
  admin: {address: "127.0.0.1:0"}
  stateDir: /var/lib/edgeway
  etcd: {servers: ["http://127.0.0.1:2379"], prefix: /edge, caFile: ca.pem, certFile: c.pem, keyFile: k.pem}
  replicaName: edge-a
  ingress: {controllerName: example.com/edge}
  defaultBackend: {service: {name: fallback, port: http}}
  externalName: {enabled: true}
  trustedProxies: [10.0.0.0/8, "fd00::/8"]
  forwardProxyAuthorization: true
  upstream: {connections: 16, pipelining: 2, keepAliveTimeout: 3s, keepAliveMaxTimeout: 30s, connectTimeout: 250ms, headersTimeout: 10s, bodyTimeout: 1m}
  downstream: {keepAliveTimeout: 70s, headersTimeout: 15s, requestTimeout: 2m, maxHeaderBytes: 32768, maxHeadersCount: 50, maxBodySize: 8m, idleTimeout: 30s}
  retries: {attempts: 3, retryOn: "connect-failure,reset,gateway-error", perTryTimeout: 2s, timeout: 10s, budget: {ratio: 0.1, window: 5s, minRetries: 3}}
  limits: {maxRequests: 500, maxPendingRequests: 50}
  overload: {maxEventLoopDelay: 200ms, maxHeapSize: 1g, retryAfterSeconds: 2}
  runtime: {heapGrowthPercent: 150, workers: 3}
  upgrades: {idleTimeout: 10m, removedRouteGrace: 5s}
  logging: {level: debug, access: false}
  maxConfigBytes: 1048576
  yaml: {maxDepth: 96, maxDocumentChars: 524288}
`);
  const load = loadConfigText([{ path: 's.yaml', text }]);
  t.deepEqual(load.diagnostics, []);
  t.deepEqual(load.objects, []);
  t.deepEqual(load.settings, {
    // Balancing, health and locality settings are read in test/config-balancing-settings.test.ts.
    balancing: DEFAULT_SETTINGS.balancing,
    healthChecks: DEFAULT_SETTINGS.healthChecks,
    outlierDetection: DEFAULT_SETTINGS.outlierDetection,
    locality: DEFAULT_SETTINGS.locality,
    clusters: DEFAULT_SETTINGS.clusters,
    // Live-operation settings (admin token, drain, reload, DNS) are read in the test at the end of this file.
    adminAuth: DEFAULT_SETTINGS.adminAuth,
    adminCertificate: DEFAULT_SETTINGS.adminCertificate,
    drainTimeoutMs: DEFAULT_SETTINGS.drainTimeoutMs,
    reload: DEFAULT_SETTINGS.reload,
    dns: DEFAULT_SETTINGS.dns,
    http: { host: '0.0.0.0', port: 80 },
    https: { host: '::1', port: 443 },
    tls: {
      defaultCertificate: { namespace: 'edge', name: 'fallback-cert' },
      certificatesDir: '/etc/edgeway/certs',
      minVersion: 'TLSv1.3',
      ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
    },
    admin: { host: '127.0.0.1', port: 0 },
    stateDir: '/var/lib/edgeway',
    etcd: { servers: ['http://127.0.0.1:2379'], prefix: '/edge', caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem' },
    replicaName: 'edge-a',
    controllerName: 'example.com/edge',
    defaultBackend: { namespace: 'default', name: 'fallback', port: 'http' },
    externalName: { enabled: true },
    trustedProxies: ['10.0.0.0/8', 'fd00::/8'],
    forwardProxyAuthorization: true,
    upstream: {
      connections: 16,
      pipelining: 2,
      keepAliveTimeoutMs: 3000,
      keepAliveMaxTimeoutMs: 30_000,
      connectTimeoutMs: 250,
      headersTimeoutMs: 10_000,
      bodyTimeoutMs: 60_000,
    },
    downstream: {
      keepAliveTimeoutMs: 70_000,
      headersTimeoutMs: 15_000,
      requestTimeoutMs: 120_000,
      maxHeaderBytes: 32_768,
      maxHeadersCount: 50,
      maxBodyBytes: 8 * 1024 * 1024,
      idleTimeoutMs: 30_000,
      bodyTimeoutMs: 60_000,
      sendTimeoutMs: 60_000,
      handshakeTimeoutMs: 10_000,
      requestBuffering: true,
      requestBufferBytes: 64 * 1024,
    },
    retries: {
      policy: {
        retries: 3,
        on: { connectFailure: true, reset: true, timeout: false, statuses: [502, 503, 504] },
        perTryTimeoutMs: 2000,
        totalTimeoutMs: 10_000,
      },
      budgetRatio: 0.1,
      budgetWindowMs: 5000,
      budgetMinRetries: 3,
    },
    limits: { maxRequests: 500, maxPendingRequests: 50 },
    overload: { maxEventLoopDelayMs: 200, maxHeapBytes: 1024 ** 3, retryAfterSeconds: 2 },
    runtime: { heapGrowthPercent: 150, workers: 3 },
    upgrades: { idleTimeoutMs: 600_000, removedRouteGraceMs: 5000 },
    logging: { level: 'debug', access: false },
    addresses: DEFAULT_SETTINGS.addresses,
    maxConfigBytes: 1_048_576,
    yamlLimits: { maxDepth: 96, maxDocumentChars: 524_288 },
  });
});

test('runtime.heapGrowthPercent: 300 by default, 0 allowed; a bad value is located and the default kept', (t) => {
  t.deepEqual(DEFAULT_SETTINGS.runtime, { heapGrowthPercent: 300, workers: 'auto' });
  t.is(loadConfigText([{ path: 's.yaml', text: doc('  runtime: {heapGrowthPercent: 0}\n') }]).settings.runtime.heapGrowthPercent, 0);
  for (const bad of ['-1', '1001', '2.5', 'lots']) {
    const load = loadConfigText([{ path: 's.yaml', text: doc(`  runtime:\n    heapGrowthPercent: ${bad}\n`) }]);
    const got = load.diagnostics.map((d) => [d.code, d.field, d.position?.line, d.object]);
    t.deepEqual(got, [['EW_SETTINGS_INVALID', 'spec.runtime.heapGrowthPercent', 7, 'EdgewaySettings main']], bad);
    t.is(load.settings.runtime.heapGrowthPercent, 300);
  }
});

test('entrypoints: https on with its default address, http turned off', (t) => {
  const load = loadConfigText([{ path: 's.yaml', text: doc('  entrypoints:\n    http: {enabled: false}\n    https: {enabled: true}\n') }]);
  t.deepEqual(load.diagnostics, []);
  t.is(load.settings.http, null);
  t.deepEqual(load.settings.https, { host: '127.0.0.1', port: 8443 });
});

test('tls: defaults, the namespace of the default certificate, and bad values located with fallback', (t) => {
  t.deepEqual(DEFAULT_SETTINGS.tls, { defaultCertificate: null, certificatesDir: 'certs', minVersion: 'TLSv1.2', ciphers: null });
  const named = loadConfigText([{ path: 's.yaml', text: doc('  tls:\n    defaultCertificate: {name: wildcard}\n') }]);
  t.deepEqual(named.diagnostics, []);
  t.deepEqual(named.settings.tls.defaultCertificate, { namespace: 'default', name: 'wildcard' });
  const bad = loadConfigText([{ path: 's.yaml', text: doc('  tls:\n    minVersion: TLSv1.0\n    defaultCertificate: {namespace: edge}\n') }]);
  const got = bad.diagnostics.map((d) => [d.code, d.field, d.position?.line]);
  t.true(
    got.some((g) => g[0] === 'EW_SETTINGS_INVALID' && g[1] === 'spec.tls.minVersion' && g[2] === 7),
    JSON.stringify(got),
  );
  t.true(
    got.some((g) => g[0] === 'EW_SETTINGS_INVALID' && String(g[1]).startsWith('spec.tls.defaultCertificate')),
    JSON.stringify(got),
  );
  t.is(bad.settings.tls.minVersion, 'TLSv1.2');
  t.is(bad.settings.tls.defaultCertificate, null);
});

test('schema errors are located, and only the bad fields fall back to defaults', (t) => {
  const text = doc(`  upstream:
    connections: 0
    connectTimeout: 5 seconds
    headersTimeout: 7s
  logging:
    level: loud
  entrypoints:
    http: {address: "::1:8080"}
  trustedProxies: [10.0.0.0/8, 10.0.0.0/33]
  defaultBackend: {service: {name: web}}
  stateDir: 42
`);
  const load = loadConfigText([{ path: 's.yaml', text }]);
  t.false(load.fatal);
  const got = load.diagnostics.map((d) => [d.code, d.field, d.position?.line, d.position?.column]);
  const expected = [
    ['EW_SETTINGS_INVALID', 'spec.upstream.connections', 7, 5],
    ['EW_SETTINGS_INVALID', 'spec.upstream.connectTimeout', 8, 5],
    ['EW_SETTINGS_INVALID', 'spec.logging.level', 11, 5],
    ['EW_SETTINGS_INVALID', 'spec.entrypoints.http.address', 13, 12],
    ['EW_SETTINGS_INVALID', 'spec.trustedProxies[1]', 14, 32],
    ['EW_SETTINGS_INVALID', 'spec.defaultBackend.service.port', 15, 20],
    ['EW_SETTINGS_INVALID', 'spec.stateDir', 16, 3],
  ];
  for (const e of expected)
    t.true(
      got.some((g) => JSON.stringify(g) === JSON.stringify(e)),
      `${JSON.stringify(e)} in ${JSON.stringify(got)}`,
    );
  t.true(load.diagnostics.every((d) => d.object === 'EdgewaySettings main' && d.position?.file === 's.yaml'));
  const s = load.settings;
  t.is(s.upstream.connections, DEFAULT_SETTINGS.upstream.connections);
  t.is(s.upstream.connectTimeoutMs, DEFAULT_SETTINGS.upstream.connectTimeoutMs);
  t.is(s.upstream.headersTimeoutMs, 7000, 'a good field beside bad ones still applies');
  t.is(s.logging.level, 'info');
  t.deepEqual(s.http, DEFAULT_SETTINGS.http);
  t.deepEqual(s.trustedProxies, [], 'a bad CIDR trusts no proxy at all');
  t.is(s.defaultBackend, null);
  t.is(s.stateDir, DEFAULT_SETTINGS.stateDir);
  t.regex(load.diagnostics.find((d) => d.field === 'spec.upstream.connectTimeout')?.message ?? '', /duration such as "500ms"/);
  t.regex(load.diagnostics.find((d) => d.field === 'spec.logging.level')?.message ?? '', /"info"/);
});

test('unknown settings warn and are ignored', (t) => {
  const load = loadConfigText([{ path: 's.yaml', text: doc('  upstream:\n    conections: 5\n') }]);
  const [d] = load.diagnostics;
  t.is(load.diagnostics.length, 1);
  t.is(d?.severity, 'warning');
  t.is(d?.code, 'EW_FIELD_UNKNOWN');
  t.is(d?.field, 'spec.upstream.conections');
  t.deepEqual(d?.position, { file: 's.yaml', line: 7, column: 5 });
  t.regex(d?.message ?? '', /connections/);
});

test('a second settings document is an error pointing at the first; the first applies', (t) => {
  const load = loadConfigText([
    { path: 'a.yaml', text: doc('  logging: {level: warn}\n') },
    { path: 'b.yaml', text: doc('  logging: {level: debug}\n') },
  ]);
  const [d] = load.diagnostics;
  t.is(d?.code, 'EW_SETTINGS_DUPLICATE');
  t.deepEqual(d?.position, { file: 'b.yaml', line: 1, column: 1 });
  t.regex(d?.message ?? '', /a\.yaml:1:1/);
  t.is(load.settings.logging.level, 'warn');
  t.false(load.fatal);
});

test('a settings document with the wrong apiVersion is not used', (t) => {
  const load = loadConfigText([{ path: 's.yaml', text: doc('  logging: {level: warn}\n').replace('v1alpha1', 'v1') }]);
  t.is(load.diagnostics[0]?.code, 'EW_API_VERSION_MISMATCH');
  t.is(load.settings.logging.level, 'info');
});

test('metadata is optional on the settings document', (t) => {
  const load = loadConfigText([{ path: 's.yaml', text: 'apiVersion: edgeway.io/v1alpha1\nkind: EdgewaySettings\nspec: {stateDir: /tmp/x}\n' }]);
  t.deepEqual(load.diagnostics, []);
  t.is(load.settings.stateDir, '/tmp/x');
});

test('live-operation settings: admin token, drain timeout, reload watch, DNS server', (t) => {
  const defaults = loadConfigText([{ path: 'a.yaml', text: doc('  forwardProxyAuthorization: false\n') }]);
  t.deepEqual(defaults.settings.adminAuth, { token: null, tokenFile: null });
  t.is(defaults.settings.adminCertificate, null);
  t.is(defaults.settings.drainTimeoutMs, 30_000);
  t.true(defaults.settings.reload.watch);
  t.deepEqual(defaults.settings.dns, { address: null, clusterDomain: 'cluster.local', ttlSeconds: 5, forwarders: [], federations: [] });

  const spec = [
    '  admin:\n    address: 127.0.0.1:9901\n    token: s3cret-token-0123456789\n    tokenFile: /etc/edgeway/token\n    certificate: {name: admin-tls}',
    '  shutdown:\n    drainTimeout: 5s',
    '  reload:\n    watch: false',
    '  dns:\n    address: 127.0.0.1:5353\n    clusterDomain: example.internal\n    ttl: 30',
  ].join('\n');
  const set = loadConfigText([{ path: 'a.yaml', text: doc(spec + '\n') }]);
  t.deepEqual(set.diagnostics, []);
  t.deepEqual(set.settings.adminAuth, { token: 's3cret-token-0123456789', tokenFile: '/etc/edgeway/token' });
  t.deepEqual(set.settings.adminCertificate, { namespace: 'default', name: 'admin-tls' });
  t.is(set.settings.drainTimeoutMs, 5000);
  t.false(set.settings.reload.watch);
  t.deepEqual(set.settings.dns, {
    address: { host: '127.0.0.1', port: 5353 },
    clusterDomain: 'example.internal',
    ttlSeconds: 30,
    forwarders: [],
    federations: [],
  });

  const bad = loadConfigText([
    { path: 'a.yaml', text: doc('  admin:\n    token: short\n  dns:\n    address: nowhere\n  shutdown:\n    drainTimeout: soon\n') },
  ]);
  const fields = bad.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.field}@${d.position?.line}`);
  t.deepEqual(fields.sort(), ['spec.admin.token@7', 'spec.dns.address@9', 'spec.shutdown.drainTimeout@11']);
  t.is(bad.settings.adminAuth.token, null);
  t.is(bad.settings.dns.address, null);
  t.is(bad.settings.drainTimeoutMs, 30_000);
});

test('resilience settings: a bad retryOn word or size is an error at its line and keeps the default', (t) => {
  const text = doc(`  retries:
    retryOn: "reset,418"
  downstream:
    maxBodySize: 12q
`);
  const load = loadConfigText([{ path: 's.yaml', text }]);
  const found = load.diagnostics.map((d) => [d.code, d.field, d.position?.line]);
  t.is(found.length, 2);
  t.true(found.some(([code, field, line]) => code === 'EW_SETTINGS_INVALID' && field === 'spec.retries.retryOn' && line === 7));
  t.true(found.some(([code, field, line]) => code === 'EW_SETTINGS_INVALID' && field === 'spec.downstream.maxBodySize' && line === 9));
  t.deepEqual(load.settings.retries.policy.on, DEFAULT_SETTINGS.retries.policy.on);
  t.is(load.settings.downstream.maxBodyBytes, DEFAULT_SETTINGS.downstream.maxBodyBytes);
});

test('etcd: off by default; servers, prefix default and TLS files read; replicaName defaults to the host name', async (t) => {
  const { hostname } = await import('node:os');
  t.is(DEFAULT_SETTINGS.etcd, null);
  t.is(DEFAULT_SETTINGS.replicaName, hostname());
  const load = loadConfigText([
    { path: 's.yaml', text: doc('  replicaName: edge-a\n  etcd:\n    servers: ["http://127.0.0.1:2379", "https://[::1]:2379"]\n') },
  ]);
  t.deepEqual(load.diagnostics, []);
  t.is(load.settings.replicaName, 'edge-a');
  t.deepEqual(load.settings.etcd, {
    servers: ['http://127.0.0.1:2379', 'https://[::1]:2379'],
    prefix: '/edgeway',
    caFile: null,
    certFile: null,
    keyFile: null,
  });
  const tls = loadConfigText([
    {
      path: 's.yaml',
      text: doc('  etcd:\n    servers: ["https://e:2379"]\n    prefix: /edge-b\n    caFile: ca.pem\n    certFile: c.pem\n    keyFile: k.pem\n'),
    },
  ]);
  t.deepEqual(tls.settings.etcd, { servers: ['https://e:2379'], prefix: '/edge-b', caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem' });
});

test('etcd: a bad URL, no servers, or a certificate without its key is an error at its field and leaves etcd off', (t) => {
  const cases: readonly [string, string, number][] = [
    ['  etcd:\n    servers: ["127.0.0.1:2379"]\n', 'spec.etcd.servers[0]', 7],
    ['  etcd:\n    servers: ["ftp://e:2379"]\n', 'spec.etcd.servers[0]', 7],
    ['  etcd:\n    servers: []\n', 'spec.etcd.servers', 7],
    ['  etcd:\n    prefix: /x\n', 'spec.etcd.servers', 6],
    ['  etcd:\n    servers: ["http://e:2379"]\n    certFile: c.pem\n', 'spec.etcd.keyFile', 6],
    ['  etcd:\n    servers: ["http://e:2379"]\n    keyFile: k.pem\n', 'spec.etcd.certFile', 6],
    ['  replicaName: "two words"\n', 'spec.replicaName', 6],
  ];
  for (const [spec, field, line] of cases) {
    const load = loadConfigText([{ path: 's.yaml', text: doc(spec) }]);
    const got = load.diagnostics.map((d) => [d.code, d.field, d.position?.line]);
    t.deepEqual(got, [['EW_SETTINGS_INVALID', field, line]], spec);
    t.is(load.settings.etcd, null, spec);
  }
});
