/**
 * Makes keys and X.509 certificates for the default certificate and `edgeway certs` (never on a request path).
 *
 * node-forge assembles and signs the certificate (names, validity, extensions, DER). It only knows RSA keys, so:
 * - RSA keys come from forge, which itself calls node:crypto's native key generation when it can (fast);
 * - ECDSA (P-256) keys come from node:crypto `generateKeyPairSync('ec')`, and forge builds the certificate around them:
 *   forge writes the to-be-signed part with a placeholder RSA key, we swap in the EC key's SubjectPublicKeyInfo, and
 *   the issuer's RSA key signs. Issuers (CAs and self-signed certificates) are therefore always RSA.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export type KeyKind = 'rsa' | 'ecdsa';

export interface Issuer {
  readonly certPem: string;
  /** RSA private key (PKCS#1 or PKCS#8 PEM). */
  readonly keyPem: string;
}

export interface CertificateRequest {
  readonly commonName: string;
  /** DNS names (wildcards allowed) and IP addresses for the subjectAltName extension. */
  readonly altNames: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  /** The subject's private key (PEM); its public half goes into the certificate. */
  readonly subjectKeyPem: string;
  /** Absent: self-signed with the subject's own key (which must then be RSA). */
  readonly issuer?: Issuer;
  readonly organization?: string;
}

/** `getTBSCertificate` exists in forge but is missing from its type declarations. */
const pkiInternals = forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };

/** Index of SubjectPublicKeyInfo in the TBSCertificate sequence (version, serial, sigAlg, issuer, validity, subject, spki). */
const SPKI_INDEX = 6;

/** A new private key as PEM: RSA 2048 as PKCS#1 (`RSA PRIVATE KEY`), ECDSA P-256 as PKCS#8. */
export function generateKeyPem(kind: KeyKind): string {
  if (kind === 'rsa') {
    const pair = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
    return unixLines(forge.pki.privateKeyToPem(pair.privateKey));
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Builds and signs one certificate; returns it as PEM. Throws when the issuer key is not RSA. */
export function buildCertificate(request: CertificateRequest): string {
  const signerPem = request.issuer?.keyPem ?? request.subjectKeyPem;
  const signer = rsaPrivateKey(signerPem, request.issuer ? 'the issuer key' : 'a self-signed certificate key');
  const subjectKey = createPrivateKey(request.subjectKeyPem);
  const subjectIsRsa = subjectKey.asymmetricKeyType === 'rsa';
  if (request.isCa && !subjectIsRsa) throw new Error('a CA key must be RSA (node-forge signs only with RSA)');

  const cert = forge.pki.createCertificate();
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = request.notBefore;
  cert.validity.notAfter = request.notAfter;
  const subject = distinguishedName(request.commonName, request.organization);
  cert.setSubject(subject);
  const issuerCert = request.issuer ? forge.pki.certificateFromPem(request.issuer.certPem) : undefined;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
  // For a non-RSA subject this is a placeholder that forge can encode; the real key is spliced in below.
  cert.publicKey = subjectIsRsa ? forge.pki.publicKeyFromPem(publicPem(request.subjectKeyPem)) : forge.pki.setRsaPublicKey(signer.n, signer.e);
  cert.setExtensions(extensions(request, subjectIsRsa, issuerCert));

  cert.siginfo.algorithmOid = forge.pki.oids['sha256WithRSAEncryption'] ?? '1.2.840.113549.1.1.11';
  cert.signatureOid = cert.siginfo.algorithmOid;
  const tbs = pkiInternals.getTBSCertificate(cert);
  if (!subjectIsRsa && Array.isArray(tbs.value)) {
    const spkiDer = createPublicKey(subjectKey).export({ type: 'spki', format: 'der' });
    tbs.value[SPKI_INDEX] = forge.asn1.fromDer(spkiDer.toString('binary'));
  }
  const md = forge.md.sha256.create();
  md.update(forge.asn1.toDer(tbs).getBytes());
  cert.tbsCertificate = tbs;
  cert.signature = signer.sign(md);
  return unixLines(forge.pki.certificateToPem(cert));
}

/** forge writes PEM with CRLF; files and manifests read better with LF, and parsers accept both. */
function unixLines(pem: string): string {
  return pem.replaceAll('\r\n', '\n');
}

function extensions(request: CertificateRequest, subjectIsRsa: boolean, issuerCert: forge.pki.Certificate | undefined): object[] {
  if (request.isCa) {
    return [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ];
  }
  const out: object[] = [
    { name: 'basicConstraints', cA: false },
    // keyEncipherment only means something for RSA key exchange.
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: subjectIsRsa, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: request.altNames.map(altName) },
  ];
  const issuerKeyId = issuerCert ? subjectKeyIdentifier(issuerCert) : undefined;
  if (issuerKeyId !== undefined) out.push({ name: 'authorityKeyIdentifier', keyIdentifier: issuerKeyId });
  return out;
}

function altName(name: string): { type: number; value?: string; ip?: string } {
  return isIP(name) === 0 ? { type: 2, value: name } : { type: 7, ip: name };
}

/** The issuer's key identifier as a byte string, so clients can find the issuer by key. */
function subjectKeyIdentifier(cert: forge.pki.Certificate): string | undefined {
  const ext = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  return ext?.subjectKeyIdentifier === undefined ? undefined : forge.util.hexToBytes(ext.subjectKeyIdentifier);
}

function distinguishedName(commonName: string, organization: string | undefined): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [{ shortName: 'CN', value: commonName }];
  if (organization !== undefined) attrs.push({ shortName: 'O', value: organization });
  return attrs;
}

/** 128 random bits, first byte kept in 0x01..0x7f so the DER INTEGER is positive and has no leading zero. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function rsaPrivateKey(pem: string, what: string): forge.pki.rsa.PrivateKey {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`${what} must be RSA (node-forge signs only with RSA)`);
  // forge reads PKCS#1; re-export so PKCS#8 input works too.
  return forge.pki.privateKeyFromPem(key.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
}

function publicPem(privatePem: string): string {
  return createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
}
