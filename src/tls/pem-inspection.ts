/**
 * Checks a certificate chain and private key given as PEM text and turns them into TlsMaterial, or reports why not.
 * Shared by TLS Secrets (tls-material.ts) and the default certificate on disk, so both are held to the same rules.
 *
 * Inspection uses Node's own `X509Certificate` and `crypto` rather than node-forge: they are backed by the same
 * OpenSSL that will do the handshakes, so "parses here" means "loads in tls.createSecureContext"; they read RSA and
 * ECDSA keys in PKCS#1, SEC1 and PKCS#8 alike (forge reads RSA only); and they are native, so a reload with many
 * Secrets stays cheap. node-forge is used only to generate certificates (certificate-builder.ts).
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Severity } from '../config/diagnostic.ts';
import type { Code } from '../errors.ts';

/** Validated TLS material: what a secure context is built from and what SNI selection matches on. */
export interface TlsMaterial {
  /** The chain as PEM, leaf first, exactly the certificates given. */
  readonly certPem: string;
  readonly keyPem: string;
  /** Parsed chain, leaf first. */
  readonly chain: readonly X509Certificate[];
  /** DNS subjectAltNames of the leaf, lower-case (wildcards kept as `*.example.com`). */
  readonly sans: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 fingerprint of the leaf, `AB:CD:…`. */
  readonly fingerprint: string;
}

/** One problem, before it is tied to a place in a file. */
export interface PemProblem {
  readonly severity: Severity;
  readonly code: Code;
  /** Which PEM the problem is in. */
  readonly part: 'cert' | 'key';
  readonly message: string;
}

export interface PemInspection {
  /** Present unless some problem has severity `error`. */
  readonly material?: TlsMaterial;
  readonly problems: readonly PemProblem[];
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Inspects a chain and key; `now` decides expiry warnings. */
export function inspectPem(certPem: string, keyPem: string, now: Date): PemInspection {
  const problems: PemProblem[] = [];
  const error = (code: Code, part: 'cert' | 'key', message: string): PemInspection => ({
    problems: [...problems, { severity: 'error', code, part, message }],
  });

  const blocks = certPem.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) {
    const hint = /PRIVATE KEY-----/.test(certPem) ? ' (it holds a private key: are tls.crt and tls.key swapped?)' : '';
    return error('EW_TLS_PEM_INVALID', 'cert', `no "BEGIN CERTIFICATE" PEM block found${hint}; put the certificate chain here, leaf first`);
  }
  const chain: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      chain.push(new X509Certificate(block));
    } catch (e) {
      return error('EW_TLS_PEM_INVALID', 'cert', `${ordinal(i)} does not parse (${reason(e)}); re-export it as PEM`);
    }
  }

  if (/ENCRYPTED/.test(keyPem)) {
    return error('EW_TLS_PEM_INVALID', 'key', 'the private key is encrypted; store it without a passphrase (e.g. `openssl pkey -in key.pem -out plain.pem`)');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    const hint = /BEGIN CERTIFICATE/.test(keyPem) ? ' (it holds a certificate: are tls.crt and tls.key swapped?)' : '';
    return error('EW_TLS_PEM_INVALID', 'key', `the private key does not parse (${reason(e)})${hint}; give an RSA or ECDSA key as PKCS#1, SEC1 or PKCS#8 PEM`);
  }
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') {
    return error('EW_TLS_KEY_UNSUPPORTED', 'key', `the private key is ${key.asymmetricKeyType ?? 'of an unknown type'}; use an RSA or ECDSA key`);
  }

  const leaf = chain[0] as X509Certificate;
  if (!sameKey(createPublicKey(key), leaf.publicKey)) {
    return error(
      'EW_TLS_KEY_MISMATCH',
      'key',
      `the private key does not belong to the leaf certificate (${leaf.subject.replaceAll('\n', ', ')}); pair the certificate with the key it was issued for, with the leaf first in tls.crt`,
    );
  }

  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i] as X509Certificate;
    const parent = chain[i + 1] as X509Certificate;
    if (!(child.checkIssued(parent) && child.verify(parent.publicKey))) {
      problems.push({
        severity: 'warning',
        code: 'EW_TLS_CHAIN_ORDER',
        part: 'cert',
        message: `${ordinal(i)} was not issued by ${ordinal(i + 1)}; order tls.crt leaf first, then each issuer (some clients reject a misordered chain)`,
      });
      break;
    }
  }

  for (const [i, cert] of chain.entries()) {
    if (now > cert.validToDate) {
      problems.push({
        severity: 'warning',
        code: 'EW_TLS_CERT_EXPIRED',
        part: 'cert',
        message: `${ordinal(i)} expired on ${cert.validToDate.toISOString()}; it is still served, but clients will reject it: renew it`,
      });
    } else if (now < cert.validFromDate) {
      problems.push({
        severity: 'warning',
        code: 'EW_TLS_CERT_NOT_YET_VALID',
        part: 'cert',
        message: `${ordinal(i)} is not valid until ${cert.validFromDate.toISOString()}; check the issuing machine's clock`,
      });
    }
  }

  return {
    problems,
    material: {
      certPem: blocks.join('\n') + '\n',
      keyPem,
      chain,
      sans: dnsNames(leaf.subjectAltName),
      notBefore: leaf.validFromDate,
      notAfter: leaf.validToDate,
      fingerprint: leaf.fingerprint256,
    },
  };
}

/** DNS entries of Node's `subjectAltName` string (`DNS:a.example.com, IP Address:…`), lower-case. */
export function dnsNames(subjectAltName: string | undefined): string[] {
  if (subjectAltName === undefined) return [];
  const out: string[] = [];
  for (const entry of subjectAltName.split(', ')) {
    if (!entry.startsWith('DNS:')) continue;
    let name = entry.slice(4);
    // Node quotes names holding special characters as JSON strings.
    if (name.startsWith('"')) {
      try {
        name = String(JSON.parse(name));
      } catch {
        continue;
      }
    }
    out.push(name.toLowerCase());
  }
  return out;
}

function sameKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}

function ordinal(i: number): string {
  return i === 0 ? 'the leaf certificate' : `certificate ${i + 1} of the chain`;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
