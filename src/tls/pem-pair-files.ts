/**
 * A certificate and its key as two PEM files on disk: read them if both exist, or create them once. Used for the
 * default certificate and the local CA. Files are written atomically (temp file, fsync, rename, fsync of the
 * directory) so a crash never leaves half a key, and the key file is created with mode 0600 from the start.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface PemPairFiles extends PemPair {
  /** True when this call generated and wrote the files. */
  readonly created: boolean;
}

/**
 * Reads `certPath` and `keyPath`, or, when neither exists, calls `generate` and writes both (key first, mode 0600).
 * One without the other is an error: edgeway never overwrites a file it did not create as a pair.
 */
export async function loadOrCreatePemPair(certPath: string, keyPath: string, generate: () => PemPair): Promise<PemPairFiles> {
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem !== undefined && keyPem !== undefined) return { certPem, keyPem, created: false };
  if (certPem !== undefined || keyPem !== undefined) {
    const [present, absent] = certPem !== undefined ? [certPath, keyPath] : [keyPath, certPath];
    throw new Error(`${present} exists but ${absent} does not; supply the missing file or remove ${present} to let edgeway generate a new pair`);
  }
  const pair = generate();
  await mkdir(dirname(keyPath), { recursive: true, mode: 0o700 });
  await mkdir(dirname(certPath), { recursive: true, mode: 0o700 });
  await writeFileAtomic(keyPath, pair.keyPem, 0o600);
  await writeFileAtomic(certPath, pair.certPem, 0o644);
  return { ...pair, created: true };
}

/** Writes through a temp file in the same directory, fsyncs it, renames it into place and fsyncs the directory. */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      // The umask may have narrowed the mode; a key must still end up exactly 0600.
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await chmod(path, mode);
  await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
