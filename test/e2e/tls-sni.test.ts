/**
 * SNI selection: the matrix as a table against the pure table, then the same cases through a real TLS server on
 * loopback whose SNICallback is the table's, checking the certificate a `tls.connect` client is served.
 */
import { once } from 'node:events';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { PeerCertificate } from 'node:tls';
import test from 'ava';
import { generateDefaultPair } from '../../src/tls/default-certificate.ts';
import { inspectPem } from '../../src/tls/pem-inspection.ts';
import type { TlsMaterial } from '../../src/tls/pem-inspection.ts';
import { SniTable } from '../../src/tls/sni-table.ts';
import type { SniMatch } from '../../src/tls/sni-table.ts';
import { loadTlsSecrets } from '../../src/tls/tls-material.ts';
import { NOW, ca, ingress, leaf, loaded, tlsSecret } from '../fixtures/tls-fixtures.ts';

const root = ca();
const web = leaf(root, ['a.example.com']);
const wild = leaf(root, ['*.b.example.com']);
const extra = leaf(root, ['c.example.com', '*.d.example.com', 'e.example.com']);
const mismatched = { certPem: leaf(root, ['e.example.com']).certPem, keyPem: web.keyPem };
const defaultPair = generateDefaultPair(NOW);
const defaultMaterial = inspectPem(defaultPair.certPem, defaultPair.keyPem, NOW).material as TlsMaterial;

const secrets = [tlsSecret('web', web), tlsSecret('wild', wild), tlsSecret('extra', extra), tlsSecret('broken', mismatched)].map(loaded);
const ingresses = [
  loaded(
    ingress('shop', [
      { hosts: ['a.example.com', 'g.example.com'], secretName: 'web' },
      { hosts: ['*.b.example.com'], secretName: 'wild' },
      { hosts: ['e.example.com'], secretName: 'broken' },
      { hosts: ['f.example.com'], secretName: 'nope' },
    ]),
  ),
];

function build(previous?: SniTable) {
  const results = loadTlsSecrets(secrets, ingresses, { now: () => NOW });
  return SniTable.build({ ingresses, secrets: results, defaultCertificate: defaultMaterial, ...(previous === undefined ? {} : { previous }) });
}

/** server name → [rule, Secret (or 'default'), CN of the certificate served]. */
const matrix: readonly [string | undefined, SniMatch, string, string][] = [
  ['a.example.com', 'exact', 'default/web', 'a.example.com'],
  ['A.Example.COM.', 'exact', 'default/web', 'a.example.com'],
  ['g.example.com', 'default', 'default', 'edgeway default'],
  ['x.b.example.com', 'wildcard', 'default/wild', '*.b.example.com'],
  ['y.x.b.example.com', 'default', 'default', 'edgeway default'],
  ['b.example.com', 'default', 'default', 'edgeway default'],
  ['c.example.com', 'san', 'default/extra', 'c.example.com'],
  ['q.d.example.com', 'san-wildcard', 'default/extra', 'c.example.com'],
  ['e.example.com', 'default', 'default', 'edgeway default'],
  ['f.example.com', 'default', 'default', 'edgeway default'],
  ['unknown.test', 'default', 'default', 'edgeway default'],
  ['localhost', 'default', 'default', 'edgeway default'],
  [undefined, 'default', 'default', 'edgeway default'],
];

test('sni: selection matrix', (t) => {
  const { table } = build();
  for (const [name, match, secret] of matrix) {
    const entry = table.select(name);
    t.is(entry.match, match, `${name ?? '(no SNI)'}`);
    t.is(entry.secret ?? 'default', secret, `${name ?? '(no SNI)'}`);
  }
  t.is(table.select('').match, 'default');
});

test('sni: broken and missing Secrets and uncovered hosts are diagnostics on the Ingress', (t) => {
  const { diagnostics } = build();
  t.deepEqual(
    diagnostics.map((d) => `${d.severity} ${d.code} ${d.object ?? ''} ${d.field ?? ''}`),
    [
      'warning EW_TLS_HOST_NOT_COVERED Ingress default/shop spec.tls[0].hosts[1]',
      'error EW_TLS_SECRET_INVALID Ingress default/shop spec.tls[2].secretName',
      'error EW_TLS_SECRET_MISSING Ingress default/shop spec.tls[3].secretName',
    ],
  );
  const invalid = diagnostics.find((d) => d.code === 'EW_TLS_SECRET_INVALID');
  t.regex(invalid?.message ?? '', /does not belong to the leaf certificate/);
  t.regex(invalid?.message ?? '', /e\.example\.com get the default certificate/);
  t.is(invalid?.position?.file, 'fixture.yaml#spec.tls[2].secretName');
});

test('sni: the older Ingress wins a host claimed twice', (t) => {
  const newer = loaded(ingress('newer', [{ hosts: ['a.example.com'], secretName: 'extra' }], '2025-02-01T00:00:00Z'));
  const older = loaded(ingress('older', [{ hosts: ['a.example.com'], secretName: 'web' }], '2025-01-01T00:00:00Z'));
  const all = [newer, older];
  const results = loadTlsSecrets(secrets, all, { now: () => NOW });
  const { table, diagnostics } = SniTable.build({ ingresses: all, secrets: results, defaultCertificate: defaultMaterial });
  t.is(table.select('a.example.com').secret, 'default/web');
  t.deepEqual(
    diagnostics.map((d) => `${d.code} ${d.object ?? ''}`).sort(),
    ['EW_TLS_HOST_CONFLICT Ingress default/newer', 'EW_TLS_HOST_NOT_COVERED Ingress default/newer'].sort(),
  );
});

test('sni: secure contexts are made once per certificate and reused on reload', (t) => {
  const first = build();
  // default, web, wild, extra: four certificates, four contexts, whatever the number of names.
  t.deepEqual(first.contexts, { created: 4, reused: 0 });
  const second = build(first.table);
  t.deepEqual(second.contexts, { created: 0, reused: 4 });
  t.is(second.table.select('a.example.com').context, first.table.select('a.example.com').context);
  t.is(second.table.select('g.example.com').context, first.table.select('unknown.test').context, 'g.example.com is not covered: the default');
  // A table without a previous one starts afresh.
  t.not(build().table.select('a.example.com').context, first.table.select('a.example.com').context);
});

test('sni: sniCallback answers with the selected context', (t) => {
  const { table } = build();
  let answered: unknown;
  table.sniCallback('x.b.example.com', (err, context) => {
    t.is(err, null);
    answered = context;
  });
  t.is(answered, table.select('x.b.example.com').context);
});

test('sni: a real TLS server serves the selected certificate to each client', async (t) => {
  const { table } = build();
  const server = createServer({ cert: defaultPair.certPem, key: defaultPair.keyPem, SNICallback: table.sniCallback }, (socket) => socket.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;

  const served = async (servername: string | undefined): Promise<PeerCertificate> => {
    // Connecting to an IP sends no SNI unless servername is given.
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(servername === undefined ? {} : { servername }) });
    t.teardown(() => socket.destroy());
    await once(socket, 'secureConnect');
    const cert = socket.getPeerCertificate();
    socket.end();
    return cert;
  };

  for (const [name, , , commonName] of matrix) {
    const cert = await served(name);
    t.is(cert.subject.CN, commonName, `${name ?? '(no SNI)'}`);
    t.is(cert.fingerprint256, table.select(name).material.fingerprint, `${name ?? '(no SNI)'}`);
  }
  const exact = await served('a.example.com');
  t.is(exact.subjectaltname, 'DNS:a.example.com');
  const fallback = await served(undefined);
  t.is(fallback.subjectaltname, 'DNS:localhost');
});

test('sni: a client trusting the CA verifies the chain it is served', async (t) => {
  const { table } = build();
  const server = createServer({ cert: defaultPair.certPem, key: defaultPair.keyPem, SNICallback: table.sniCallback }, (socket) => socket.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const socket = connect({ host: '127.0.0.1', port, servername: 'x.b.example.com', ca: root.certPem });
  t.teardown(() => socket.destroy());
  await once(socket, 'secureConnect');
  t.true(socket.authorized);
  socket.end();
});

test('sni: material OpenSSL refuses degrades only its hosts', (t) => {
  const results = loadTlsSecrets(secrets, ingresses, { now: () => NOW });
  const good = results.get('default/web');
  if (good === undefined || !good.ok) return t.fail('web should be valid');
  // Bypass validation to hand the builder a key that does not fit, as OpenSSL-only failures would.
  results.set('default/web', { ok: true, material: { ...good.material, keyPem: wild.keyPem }, diagnostics: [] });
  const { table, diagnostics } = SniTable.build({ ingresses, secrets: results, defaultCertificate: defaultMaterial });
  t.is(table.select('a.example.com').match, 'default');
  t.is(table.select('x.b.example.com').secret, 'default/wild');
  const refused = diagnostics.find((d) => d.field === 'spec.tls[0].secretName');
  t.is(refused?.code, 'EW_TLS_SECRET_INVALID');
  t.regex(refused?.message ?? '', /OpenSSL refused/);
});
