/**
 * The local certificate authority behind `edgeway certs`: an RSA key and a self-signed CA certificate in
 * `<dir>/ca.crt` and `<dir>/ca.key` (mode 0600), created once and reused, plus issuing leaf certificates from it.
 * Meant for development and private networks: users add ca.crt to their trust store.
 */
import { join } from 'node:path';
import { buildCertificate, generateKeyPem } from './certificate-builder.ts';
import type { KeyKind } from './certificate-builder.ts';
import { loadOrCreatePemPair } from './pem-pair-files.ts';
import type { PemPair, PemPairFiles } from './pem-pair-files.ts';

const DAY_MS = 24 * 3600 * 1000;
const CA_DAYS = 3650;
/** Backdated so clients with a slightly slow clock accept a certificate issued a moment ago. */
const BACKDATE_MS = 3600 * 1000;

export interface LocalCa extends PemPairFiles {
  readonly certPath: string;
  readonly keyPath: string;
}

/** Loads `<dir>/ca.crt` and `<dir>/ca.key`, creating them if neither exists. */
export async function loadOrCreateCa(dir: string, now: Date = new Date()): Promise<LocalCa> {
  const certPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca.key');
  const pair = await loadOrCreatePemPair(certPath, keyPath, () => {
    const keyPem = generateKeyPem('rsa');
    const certPem = buildCertificate({
      commonName: 'edgeway local CA',
      organization: 'edgeway',
      altNames: [],
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + CA_DAYS * DAY_MS),
      isCa: true,
      subjectKeyPem: keyPem,
    });
    return { certPem, keyPem };
  });
  return { ...pair, certPath, keyPath };
}

export interface LeafRequest {
  /** DNS names (wildcards allowed) or IP addresses; the first is also the common name. */
  readonly hosts: readonly string[];
  readonly days: number;
  readonly key: KeyKind;
  readonly now?: Date;
}

/** Issues a leaf for `hosts` signed by the CA; `certPem` is the leaf followed by the CA certificate. */
export function issueLeaf(ca: PemPair, request: LeafRequest): PemPair {
  const now = request.now ?? new Date();
  const keyPem = generateKeyPem(request.key);
  const leafPem = buildCertificate({
    commonName: request.hosts[0] ?? 'edgeway',
    altNames: request.hosts,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + request.days * DAY_MS),
    isCa: false,
    subjectKeyPem: keyPem,
    issuer: ca,
  });
  return { certPem: leafPem.trimEnd() + '\n' + ca.certPem.trimEnd() + '\n', keyPem };
}
