/**
 * A certificate and its key as two PEM files on disk: read them if both exist, or create them once. Used for the
 * default certificate and the local CA. Files are written atomically (temp file, fsync, rename, fsync of the
 * directory) so a crash never leaves half a key, and the key file is created with mode 0600 from the start.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
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
 * One without the other is an error: edgeway never overwrites a file it did not create as a pair. Creation holds an
 * exclusive lock file beside the key, so processes starting at once (replicas, workers, test runs sharing one
 * directory) make one pair between them: the others wait for it and read it.
 */
export async function loadOrCreatePemPair(certPath: string, keyPath: string, generate: () => PemPair): Promise<PemPairFiles> {
  const lockPath = `${keyPath}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
    if (certPem !== undefined && keyPem !== undefined) return { certPem, keyPem, created: false };
    const creating = await lockHeld(lockPath);
    if (!creating && (certPem !== undefined || keyPem !== undefined)) {
      const [present, absent] = certPem !== undefined ? [certPath, keyPath] : [keyPath, certPath];
      throw new Error(`${present} exists but ${absent} does not; supply the missing file or remove ${present} to let edgeway generate a new pair`);
    }
    if (!creating) {
      await mkdir(dirname(keyPath), { recursive: true, mode: 0o700 });
      await mkdir(dirname(certPath), { recursive: true, mode: 0o700 });
      const lock = await open(lockPath, 'wx').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') return null;
        throw e;
      });
      if (lock !== null) {
        try {
          // Another process may have finished between the read above and the lock.
          const [c, k] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
          if (c !== undefined && k !== undefined) return { certPem: c, keyPem: k, created: false };
          const pair = generate();
          await writeFileAtomic(keyPath, pair.keyPem, 0o600);
          await writeFileAtomic(certPath, pair.certPem, 0o644);
          return { ...pair, created: true };
        } finally {
          await lock.close();
          await rm(lockPath, { force: true });
        }
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`${lockPath}: another process has been creating ${keyPath} for over ${LOCK_WAIT_MS / 1000} s; remove the lock if no edgeway is starting`);
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/** How long a start waits for another process to finish creating a pair, and how often it looks. */
const LOCK_WAIT_MS = 30_000;
const LOCK_POLL_MS = 50;
/** A lock older than this was left by a process that died while creating; it is taken over. */
const STALE_LOCK_MS = 60_000;

/** Whether another process is creating the pair now (a lock file younger than STALE_LOCK_MS). */
async function lockHeld(lockPath: string): Promise<boolean> {
  try {
    const { mtimeMs } = await stat(lockPath);
    if (Date.now() - mtimeMs < STALE_LOCK_MS) return true;
    await rm(lockPath, { force: true });
    return false;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
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
