/** Certificate files: the default certificate (generated once, reused, key 0600) and `edgeway certs`. */
import { X509Certificate } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import { runCerts } from '../../src/cli/certs.ts';
import type { Secret } from '../../src/k8s/types.ts';
import { loadDefaultCertificate } from '../../src/tls/default-certificate.ts';
import { loadTlsMaterial } from '../../src/tls/tls-material.ts';
import { NOW, loaded, tempDir } from '../fixtures/tls-fixtures.ts';

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

function capture(): { io: { stdout: (s: string) => void; stderr: (s: string) => void }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { stdout: (s) => void (out += s), stderr: (s) => void (err += s) }, out: () => out, err: () => err };
}

test('default certificate: generated at first start, reused later, key 0600', async (t) => {
  const dir = join(await tempDir(t), 'certs');
  const first = await loadDefaultCertificate({ dir, now: () => NOW });
  t.true(first.created);
  t.deepEqual(first.warnings, []);
  t.is(await mode(first.keyPath), 0o600);
  t.deepEqual(first.material.sans, ['localhost']);
  const cert = first.material.chain[0];
  t.is(
    cert?.subject.split('\n').find((l) => l.startsWith('CN=')),
    'CN=edgeway default',
  );
  const year = first.material.notAfter.getTime() - NOW.getTime();
  t.true(year > 364 * 24 * 3600 * 1000 && year <= 366 * 24 * 3600 * 1000);

  const second = await loadDefaultCertificate({ dir, now: () => NOW });
  t.false(second.created);
  t.is(second.material.fingerprint, first.material.fingerprint);
  t.is(await mode(second.keyPath), 0o600);
});

test('default certificate: a key without its certificate is an error, not overwritten', async (t) => {
  const dir = await tempDir(t);
  const first = await loadDefaultCertificate({ dir, now: () => NOW });
  await rm(first.certPath);
  const keyBefore = await readFile(first.keyPath, 'utf8');
  const error = await t.throwsAsync(loadDefaultCertificate({ dir, now: () => NOW }));
  t.regex(error?.message ?? '', /default\.key exists but .*default\.crt does not/);
  t.is(await readFile(first.keyPath, 'utf8'), keyBefore);
});

test('default certificate: an unusable pair names the file and the problem', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'default.crt'), 'not a certificate');
  await writeFile(join(dir, 'default.key'), 'not a key');
  const error = await t.throwsAsync(loadDefaultCertificate({ dir, now: () => NOW }));
  t.regex(error?.message ?? '', /default\.crt: EW_TLS_PEM_INVALID/);
});

for (const key of ['rsa', 'ecdsa'] as const) {
  test(`certs issue (${key}): prints a Secret that parses and validates`, async (t) => {
    const dir = join(await tempDir(t), 'certs');
    const { io, out, err } = capture();
    const code = await runCerts(
      ['issue', '--host', 'a.example.com', '--host', '*.b.example.com', '--key', key, '--name', 'web', '--namespace', 'shop', '--dir', dir],
      io,
    );
    t.is(code, 0, err());
    const secret = parse(out()) as Secret;
    t.is(secret.kind, 'Secret');
    t.is(secret.type, 'kubernetes.io/tls');
    t.deepEqual(secret.metadata, { name: 'web', namespace: 'shop' });
    const result = loadTlsMaterial(loaded(secret));
    if (!result.ok) return t.fail(JSON.stringify(result.diagnostics));
    t.deepEqual(result.diagnostics, []);
    t.deepEqual(result.material.sans, ['a.example.com', '*.b.example.com']);
    t.is(result.material.chain.length, 2);
    t.is(result.material.chain[0]?.publicKey.asymmetricKeyType, key === 'rsa' ? 'rsa' : 'ec');
    const days = (result.material.notAfter.getTime() - Date.now()) / (24 * 3600 * 1000);
    t.true(days > 89 && days <= 90);

    // The files match the manifest, the key is private, and the chain ends in the CA written beside them.
    t.is(await readFile(join(dir, 'web.crt'), 'utf8'), result.material.certPem);
    t.is(await mode(join(dir, 'web.key')), 0o600);
    t.is(await mode(join(dir, 'ca.key')), 0o600);
    const caCert = new X509Certificate(await readFile(join(dir, 'ca.crt')));
    t.true(caCert.ca);
    t.true(result.material.chain[0]?.verify(caCert.publicKey));
  });
}

test('certs ca: created once, then reused', async (t) => {
  const dir = join(await tempDir(t), 'certs');
  const first = capture();
  t.is(await runCerts(['ca', '--dir', dir], first.io), 0);
  t.regex(first.err(), /created CA/);
  const caPem = await readFile(join(dir, 'ca.crt'), 'utf8');
  const second = capture();
  t.is(await runCerts(['ca', '--dir', dir], second.io), 0);
  t.regex(second.err(), /already exists/);
  t.is(await readFile(join(dir, 'ca.crt'), 'utf8'), caPem);
});

const badArgs: readonly [string, string[], RegExp][] = [
  ['no command', [], /missing command/],
  ['unknown command', ['renew'], /unknown command "renew"/],
  ['no host', ['issue'], /at least one --host/],
  ['bad host', ['issue', '--host', 'a..b'], /not a DNS name/],
  ['two-label wildcard', ['issue', '--host', '*.*.example.com'], /not a DNS name/],
  ['bad days', ['issue', '--host', 'a.example.com', '--days', '0'], /--days 0/],
  ['bad key', ['issue', '--host', 'a.example.com', '--key', 'dsa'], /--key dsa/],
  ['bad name', ['issue', '--host', 'a.example.com', '--name', 'Web_1'], /--name Web_1/],
  ['unknown flag', ['issue', '--hots', 'a.example.com'], /--hots/],
];

for (const [name, argv, message] of badArgs) {
  test(`certs: ${name} → exit 2 with one line`, async (t) => {
    const dir = await tempDir(t);
    const { io, out, err } = capture();
    t.is(await runCerts([...argv, '--dir', dir], io), 2);
    t.regex(err(), message);
    t.is(err().trimEnd().split('\n').length, 1);
    t.is(out(), '');
  });
}
