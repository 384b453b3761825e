/**
 * The object metadata of the API (object-meta-store.ts) in the state directory, as one JSON file written through a
 * temp file and a rename (writeFileAtomic), so a crash leaves the old or the new file. Entries are arrays, not
 * objects, to keep the file small with ten thousand objects. An unreadable file is an error, never a fresh start:
 * starting over would hand out resourceVersions clients have already seen.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../tls/pem-pair-files.ts';
import { EMPTY_META_STATE, type MetaState, type ObjectMetaStore, type StoredMeta } from './object-meta-store.ts';

export const META_FILE = 'api-metadata.json';

type Row = [uid: string, creationTimestamp: string, generation: number, resourceVersion: number, specHash: string, hash: string];

interface FileShape {
  readonly revision: number;
  readonly objects: Record<string, Row>;
}

export class FileMetaStore implements ObjectMetaStore {
  readonly path: string;
  readonly #dir: string;

  constructor(stateDir: string) {
    this.#dir = stateDir;
    this.path = join(stateDir, META_FILE);
  }

  async load(): Promise<MetaState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_META_STATE;
      throw e;
    }
    let parsed: FileShape;
    try {
      parsed = JSON.parse(text) as FileShape;
    } catch {
      parsed = { revision: NaN, objects: {} };
    }
    if (typeof parsed.revision !== 'number' || !Number.isSafeInteger(parsed.revision) || typeof parsed.objects !== 'object' || parsed.objects === null) {
      throw new Error(
        `${this.path} is not a readable edgeway API metadata file: restore it, or move it aside to start uids and resourceVersions over (clients then list again)`,
      );
    }
    const objects = new Map<string, StoredMeta>();
    for (const [key, [uid, creationTimestamp, generation, resourceVersion, specHash, hash]] of Object.entries(parsed.objects)) {
      objects.set(key, { uid, creationTimestamp, generation, resourceVersion, specHash, hash });
    }
    return { revision: parsed.revision, objects };
  }

  async save(state: MetaState): Promise<void> {
    const objects: Record<string, Row> = {};
    for (const [key, m] of state.objects) {
      Object.defineProperty(objects, key, { value: [m.uid, m.creationTimestamp, m.generation, m.resourceVersion, m.specHash, m.hash], enumerable: true });
    }
    await mkdir(this.#dir, { recursive: true });
    await writeFileAtomic(this.path, JSON.stringify({ revision: state.revision, objects }), 0o600);
  }
}
