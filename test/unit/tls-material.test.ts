/** TLS Secret validation as a table: each case is a Secret, a clock, and the outcome and codes expected. */
import test from 'ava';
import type { Secret } from '../../src/k8s/types.ts';
import { keepLastGood } from '../../src/tls/last-good.ts';
import { loadTlsMaterial, loadTlsSecrets } from '../../src/tls/tls-material.ts';
import { NOW, b64, ca, ingress, leaf, loaded, reencodeKey, tlsSecret } from '../fixtures/tls-fixtures.ts';

const root = ca();
const intermediate = ca('test intermediate CA', root);
const rsa = leaf(root, ['a.example.com', '*.b.example.com', '127.0.0.1']);
const ecdsa = leaf(root, ['ec.example.com'], 'ecdsa');
const other = leaf(root, ['other.example.com']);
const chained = leaf(intermediate, ['chain.example.com']);
const DAY = 24 * 3600 * 1000;

const withData = (data: Record<string, string>, type: string | null = 'kubernetes.io/tls'): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'default' },
  ...(type === null ? {} : { type }),
  data,
});

interface Case {
  readonly name: string;
  readonly secret: Secret;
  readonly now?: Date;
  readonly ok: boolean;
  /** `severity code field` for every diagnostic, in order. */
  readonly expect: readonly string[];
}

const cases: readonly Case[] = [
  {
    name: 'good RSA, PKCS#1 key, base64 data',
    secret: tlsSecret('s', { certPem: rsa.certPem, keyPem: reencodeKey(rsa.keyPem, 'pkcs1') }),
    ok: true,
    expect: [],
  },
  { name: 'good RSA, PKCS#8 key', secret: tlsSecret('s', { certPem: rsa.certPem, keyPem: reencodeKey(rsa.keyPem, 'pkcs8') }), ok: true, expect: [] },
  { name: 'good ECDSA, PKCS#8 key', secret: tlsSecret('s', ecdsa), ok: true, expect: [] },
  { name: 'good ECDSA, SEC1 key', secret: tlsSecret('s', { certPem: ecdsa.certPem, keyPem: reencodeKey(ecdsa.keyPem, 'sec1') }), ok: true, expect: [] },
  {
    name: 'PEM in stringData',
    secret: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default' },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': rsa.certPem, 'tls.key': rsa.keyPem },
    },
    ok: true,
    expect: [],
  },
  {
    name: 'chain in order',
    secret: tlsSecret('s', { certPem: chained.certPem + intermediate.certPem + root.certPem, keyPem: chained.keyPem }),
    ok: true,
    expect: [],
  },
  {
    name: 'chain out of order',
    secret: tlsSecret('s', { certPem: chained.certPem + root.certPem + intermediate.certPem, keyPem: chained.keyPem }),
    ok: true,
    expect: ['warning EW_TLS_CHAIN_ORDER data.tls.crt'],
  },
  {
    name: 'key of another certificate',
    secret: tlsSecret('s', { certPem: rsa.certPem, keyPem: other.keyPem }),
    ok: false,
    expect: ['error EW_TLS_KEY_MISMATCH data.tls.key'],
  },
  { name: 'expired', secret: tlsSecret('s', rsa), now: new Date(NOW.getTime() + 365 * DAY), ok: true, expect: ['warning EW_TLS_CERT_EXPIRED data.tls.crt'] },
  {
    name: 'not yet valid',
    secret: tlsSecret('s', rsa),
    now: new Date(NOW.getTime() - 7 * DAY),
    ok: true,
    expect: ['warning EW_TLS_CERT_NOT_YET_VALID data.tls.crt'],
  },
  {
    name: 'bad base64',
    secret: withData({ 'tls.crt': 'not base64 at all!', 'tls.key': b64(rsa.keyPem) }),
    ok: false,
    expect: ['error EW_TLS_BASE64_INVALID data.tls.crt'],
  },
  {
    name: 'base64 applied twice',
    secret: withData({ 'tls.crt': b64(b64(rsa.certPem)), 'tls.key': b64(rsa.keyPem) }),
    ok: false,
    expect: ['error EW_TLS_BASE64_INVALID data.tls.crt'],
  },
  {
    name: 'bad PEM',
    secret: withData({ 'tls.crt': b64('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), 'tls.key': b64(rsa.keyPem) }),
    ok: false,
    expect: ['error EW_TLS_PEM_INVALID data.tls.crt'],
  },
  {
    name: 'no certificate block',
    secret: withData({ 'tls.crt': b64('hello'), 'tls.key': b64(rsa.keyPem) }),
    ok: false,
    expect: ['error EW_TLS_PEM_INVALID data.tls.crt'],
  },
  {
    name: 'crt and key swapped',
    secret: withData({ 'tls.crt': b64(rsa.keyPem), 'tls.key': b64(rsa.certPem) }),
    ok: false,
    expect: ['error EW_TLS_PEM_INVALID data.tls.crt'],
  },
  {
    name: 'garbage key',
    secret: withData({ 'tls.crt': b64(rsa.certPem), 'tls.key': b64('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n') }),
    ok: false,
    expect: ['error EW_TLS_PEM_INVALID data.tls.key'],
  },
  { name: 'missing tls.key', secret: withData({ 'tls.crt': b64(rsa.certPem) }), ok: false, expect: ['error EW_TLS_FIELD_MISSING data'] },
  {
    name: 'Opaque type',
    secret: withData({ 'tls.crt': b64(rsa.certPem), 'tls.key': b64(rsa.keyPem) }, 'Opaque'),
    ok: true,
    expect: ['warning EW_TLS_SECRET_OPAQUE type'],
  },
  {
    name: 'no type (Opaque)',
    secret: withData({ 'tls.crt': b64(rsa.certPem), 'tls.key': b64(rsa.keyPem) }, null),
    ok: true,
    expect: ['warning EW_TLS_SECRET_OPAQUE type'],
  },
  {
    name: 'wrong type',
    secret: withData({ 'tls.crt': b64(rsa.certPem), 'tls.key': b64(rsa.keyPem) }, 'kubernetes.io/basic-auth'),
    ok: false,
    expect: ['error EW_TLS_SECRET_TYPE type'],
  },
];

for (const c of cases) {
  test(`material: ${c.name}`, (t) => {
    const result = loadTlsMaterial(loaded(c.secret), { now: () => c.now ?? NOW });
    t.is(result.ok, c.ok);
    t.deepEqual(
      result.diagnostics.map((d) => `${d.severity} ${d.code} ${d.field ?? ''}`),
      [...c.expect],
    );
    for (const d of result.diagnostics) {
      // Located at the field the diagnostic names, on the Secret, with a sentence to act on.
      t.is(d.position?.file, `fixture.yaml#${d.field ?? ''}`);
      t.is(d.object, 'Secret default/s');
      t.true(d.message.length > 20);
    }
  });
}

test('material: fields of good RSA material', (t) => {
  const result = loadTlsMaterial(loaded(tlsSecret('s', rsa)), { now: () => NOW });
  if (!result.ok) return t.fail('expected ok');
  const m = result.material;
  t.deepEqual(m.sans, ['a.example.com', '*.b.example.com']);
  t.is(m.chain.length, 1);
  t.is(m.fingerprint, m.chain[0]?.fingerprint256 ?? '');
  t.true(m.notBefore < NOW && NOW < m.notAfter);
  t.true(m.certPem.startsWith('-----BEGIN CERTIFICATE-----'));
});

test('material: chain is kept leaf first', (t) => {
  const result = loadTlsMaterial(loaded(tlsSecret('s', { certPem: chained.certPem + intermediate.certPem, keyPem: chained.keyPem })), { now: () => NOW });
  if (!result.ok) return t.fail('expected ok');
  t.deepEqual(result.material.sans, ['chain.example.com']);
  t.is(result.material.chain.length, 2);
  t.true(result.material.chain[1]?.ca);
});

test('loadTlsSecrets: kubernetes.io/tls Secrets and Secrets named by an Ingress, nothing else', (t) => {
  const opaqueNamed = { ...tlsSecret('named', rsa), type: 'Opaque' };
  const opaqueOther = { ...tlsSecret('other', rsa), type: 'Opaque' };
  const results = loadTlsSecrets(
    [loaded(tlsSecret('tls', rsa)), loaded(opaqueNamed), loaded(opaqueOther)],
    [loaded(ingress('web', [{ hosts: ['a.example.com'], secretName: 'named' }]))],
    { now: () => NOW },
  );
  t.deepEqual([...results.keys()].sort(), ['default/named', 'default/tls']);
});

test('keepLastGood: a broken Secret keeps its previous usable material; new, deleted and still-good Secrets are as loaded', (t) => {
  const mismatched = withData({ 'tls.crt': b64(other.certPem), 'tls.key': b64(rsa.keyPem) });
  const before = loadTlsSecrets([loaded(withData({ 'tls.crt': b64(rsa.certPem), 'tls.key': b64(rsa.keyPem) })), loaded(tlsSecret('gone', ecdsa))], []);
  const broken = loadTlsSecrets([loaded(mismatched), loaded(tlsSecret('new', { certPem: other.certPem, keyPem: rsa.keyPem }))], []);
  const kept = keepLastGood(broken, before);
  const s = kept.get('default/s');
  t.true(s?.ok === true && s.material.fingerprint === (before.get('default/s') as { material: { fingerprint: string } }).material.fingerprint);
  t.deepEqual(
    s?.diagnostics.map((d) => `${d.severity} ${d.code} ${d.object ?? ''} ${d.field ?? ''}`),
    ['error EW_TLS_KEY_MISMATCH Secret default/s data.tls.key', 'warning EW_TLS_SECRET_KEPT Secret default/s data.tls.key'],
  );
  t.false(kept.get('default/new')?.ok, 'a Secret never good has nothing to keep');
  t.false(kept.has('default/gone'), 'a deleted Secret is not kept');
  t.is(keepLastGood(kept, kept).get('default/s'), kept.get('default/s'), 'a usable (kept) entry passes through');
  t.is(keepLastGood(broken, undefined).get('default/s'), broken.get('default/s'), 'nothing to keep at start');
});
