/**
 * The default certificate: served to clients without SNI and for names no other certificate covers. Read from
 * `certs/default.crt` and `certs/default.key`, or generated at first start (self-signed RSA 2048 by node-forge,
 * CN `edgeway default`, SAN `localhost`, valid one year) and reused on later starts.
 *
 * Generate it in the primary process before starting workers, so two processes never race to create it.
 */
import { join } from 'node:path';
import { buildCertificate, generateKeyPem } from './certificate-builder.ts';
import type { TlsMaterial } from './pem-inspection.ts';
import { inspectPem } from './pem-inspection.ts';
import { loadOrCreatePemPair } from './pem-pair-files.ts';
import type { PemPair } from './pem-pair-files.ts';

export interface DefaultCertificateOptions {
  /** Directory of the pair; `certs` (relative to the working directory) unless given. */
  readonly dir?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** The clock for the generated validity and the expiry warnings; injectable for tests. */
  readonly now?: () => Date;
}

export interface DefaultCertificate {
  readonly material: TlsMaterial;
  /** True when this start generated the pair. */
  readonly created: boolean;
  readonly certPath: string;
  readonly keyPath: string;
  /** Problems that do not stop serving (for example: expired), ready to log. */
  readonly warnings: readonly string[];
}

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;
/** Backdated a little so a client whose clock runs slightly behind still accepts a fresh certificate. */
const BACKDATE_MS = 3600 * 1000;

/** Loads or creates the default certificate. Throws, with a message naming the file, when the pair is unusable. */
export async function loadDefaultCertificate(options: DefaultCertificateOptions = {}): Promise<DefaultCertificate> {
  const dir = options.dir ?? 'certs';
  const certPath = join(dir, options.certFile ?? 'default.crt');
  const keyPath = join(dir, options.keyFile ?? 'default.key');
  const now = options.now ?? (() => new Date());
  const pair = await loadOrCreatePemPair(certPath, keyPath, () => generateDefaultPair(now()));
  const inspection = inspectPem(pair.certPem, pair.keyPem, now());
  const describe = (p: { part: 'cert' | 'key'; code: string; message: string }): string => `${p.part === 'cert' ? certPath : keyPath}: ${p.code}: ${p.message}`;
  if (inspection.material === undefined) {
    const problems = inspection.problems.filter((p) => p.severity === 'error').map(describe);
    throw new Error(`the default certificate is unusable: ${problems.join('; ')}; fix it, or delete both files to let edgeway generate a new one`);
  }
  return {
    material: inspection.material,
    created: pair.created,
    certPath,
    keyPath,
    warnings: inspection.problems.map(describe),
  };
}

/** A fresh self-signed default pair. */
export function generateDefaultPair(now: Date): PemPair {
  const keyPem = generateKeyPem('rsa');
  const certPem = buildCertificate({
    commonName: 'edgeway default',
    organization: 'edgeway',
    altNames: ['localhost'],
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + ONE_YEAR_MS),
    isCa: false,
    subjectKeyPem: keyPem,
  });
  return { certPem, keyPem };
}
