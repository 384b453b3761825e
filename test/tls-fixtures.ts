/**
 * Certificates and objects for the TLS tests, all made here with edgeway's own certificate code (no fixtures from
 * elsewhere). Keys are generated once per test process; each RSA key costs a few milliseconds with forge's native path.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { SourcePosition } from '../src/config/diagnostic.ts';
import { formatFieldPath } from '../src/config/diagnostic.ts';
import type { LoadedObject } from '../src/config/loaded-object.ts';
import type { Ingress, IngressTLS, KubeObject, Secret } from '../src/k8s/types.ts';
import { buildCertificate, generateKeyPem } from '../src/tls/certificate-builder.ts';
import type { KeyKind } from '../src/tls/certificate-builder.ts';
import type { PemPair } from '../src/tls/pem-pair-files.ts';

/** The tests' clock: the real time at load, so real TLS clients accept the certificates; checks inject it. */
export const NOW = new Date();
const DAY = 24 * 3600 * 1000;

/**
 * A LoadedObject whose positions encode the field path: line is the path length, column the length of the formatted
 * path, and the file name carries the path itself, so a test can tell which field a diagnostic was located at.
 */
export function loaded<T extends KubeObject>(object: T): LoadedObject<T> {
  return {
    object,
    position: { file: 'fixture.yaml', line: 1, column: 1 },
    origin: { kind: 'file', file: 'fixture.yaml', line: 1, column: 1 },
    locate(path: readonly (string | number)[]): SourcePosition {
      return { file: `fixture.yaml#${formatFieldPath(path)}`, line: path.length + 1, column: 1 };
    },
  };
}

export function ca(name = 'test root CA', issuer?: PemPair): PemPair {
  const keyPem = generateKeyPem('rsa');
  const certPem = buildCertificate({
    commonName: name,
    altNames: [],
    notBefore: new Date(NOW.getTime() - 30 * DAY),
    notAfter: new Date(NOW.getTime() + 3650 * DAY),
    isCa: true,
    subjectKeyPem: keyPem,
    ...(issuer === undefined ? {} : { issuer }),
  });
  return { certPem, keyPem };
}

export function leaf(issuer: PemPair, hosts: readonly string[], kind: KeyKind = 'rsa', validity = { fromDays: -1, toDays: 90 }): PemPair {
  const keyPem = generateKeyPem(kind);
  const certPem = buildCertificate({
    commonName: hosts[0] ?? 'leaf',
    altNames: hosts,
    notBefore: new Date(NOW.getTime() + validity.fromDays * DAY),
    notAfter: new Date(NOW.getTime() + validity.toDays * DAY),
    isCa: false,
    subjectKeyPem: keyPem,
    issuer,
  });
  return { certPem, keyPem };
}

/** Re-encodes a private key: `pkcs1` (RSA only), `pkcs8`, or `sec1` (EC only). */
export function reencodeKey(keyPem: string, type: 'pkcs1' | 'pkcs8' | 'sec1'): string {
  return createPrivateKey(keyPem).export({ type, format: 'pem' }).toString();
}

export function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

export function tlsSecret(name: string, pair: PemPair, namespace = 'default'): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(pair.certPem), 'tls.key': b64(pair.keyPem) },
  };
}

export function ingress(name: string, tls: IngressTLS[], creationTimestamp?: string): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', ...(creationTimestamp === undefined ? {} : { creationTimestamp }) },
    spec: { tls },
  };
}

export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'edgeway-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
