/**
 * Writes a certificate and key (PEM) as `tls.crt` and `tls.key` in a directory, the key readable by its owner only:
 * how the bench hands its certificate to a peer that reads files (nginx, the undici floor behind node:https).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PemFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export async function writePemFiles(dir: string, pair: { readonly certPem: string; readonly keyPem: string }): Promise<PemFiles> {
  const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  await writeFile(files.certFile, pair.certPem);
  await writeFile(files.keyFile, pair.keyPem, { mode: 0o600 });
  return files;
}
