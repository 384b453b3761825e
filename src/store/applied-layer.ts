/**
 * The second layer of objects: those created or changed through the admin API, persisted in the state directory as
 * one multi-document YAML file (`applied-objects.yaml`). The configuration files stay the base layer; this file is
 * read after them by the same loader, so API objects get the same validation, positions and diagnostics, and an
 * object later also written into a configuration file loses to the file (reported as a duplicate).
 *
 * Writes go through a temp file, fsync and rename (writeFileAtomic), so a crash leaves either the old or the new
 * file, never half of one. Changes are serialized: each one sees the result of the one before.
 *
 * It is an object source of its own (object-source.ts): its revision counts the changes made since it was loaded,
 * and its listing is the file loaded alone, every object with the API origin. The process reads the file together
 * with the configuration files instead (store/file-object-source.ts), so duplicates across the layers are judged in
 * one load.
 *
 * A file that is not well-formed YAML at start (edited by hand, a disk fault) holds objects users created and cannot
 * recreate from their manifests, so it is never dropped quietly: it is renamed aside with a timestamp suffix (never
 * deleted), the documents that do parse are written back as the new file, and an EW_APPLIED_CORRUPT diagnostic
 * names both files; it stays in `diagnostics` (shown by GET /config/status) for the life of the process.
 */
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { loadConfigText } from '../config/load-config.ts';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { KubeObject } from '../k8s/types.ts';
import { writeFileAtomic } from '../tls/pem-pair-files.ts';
import type { ObjectListing, ObjectSource, SourceWatch } from './object-source.ts';
import { storeKey } from './object-store.ts';

export const APPLIED_FILE = 'applied-objects.yaml';

export class AppliedLayer implements ObjectSource {
  readonly path: string;
  readonly #dir: string;
  #objects: readonly KubeObject[] = [];
  /** The file's text as last read or written. */
  #text = '';
  #revision = 0;
  readonly #listeners = new Set<(revision: number) => void>();
  #diagnostics: readonly Diagnostic[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  /** A reader of someone else's state (`edgeway env`): a corrupt file is reported, never moved or rewritten. */
  readonly #readOnly: boolean;

  constructor(stateDir: string, options: { readonly readOnly?: boolean } = {}) {
    this.#dir = stateDir;
    this.path = join(stateDir, APPLIED_FILE);
    this.#readOnly = options.readOnly === true;
  }

  /**
   * Reads the file if there is one. A corrupt one is moved aside and replaced by what could be read of it (see the
   * module comment); `now` names the moved file. Whether the objects are valid is the loader's to report.
   */
  async load(now: Date = new Date()): Promise<void> {
    const text = await readFile(this.path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw e;
    });
    this.#text = text;
    const docs = parseAllDocuments(text);
    const broken = docs.filter((d) => d.errors.length > 0);
    this.#objects = docs.flatMap((d) => {
      const v: unknown = d.errors.length === 0 ? d.toJS() : null;
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? [v as KubeObject] : [];
    });
    if (broken.length === 0) return;
    const first = broken[0]!.errors[0]!;
    const problem = `${this.path} (objects created through the API) is not well-formed YAML (${first.message.replace(/\s+/g, ' ').trim()})`;
    if (this.#readOnly) {
      this.#text = serialize(this.#objects);
      this.#diagnostics = [
        {
          severity: 'error',
          code: 'EW_APPLIED_CORRUPT',
          message: `${problem}: ${this.#objects.length} object(s) could be read and are used; edgeway serve moves the file aside at its next start`,
          position: { file: this.path, line: first.linePos?.[0].line ?? 1, column: first.linePos?.[0].col ?? 1 },
        },
      ];
      return;
    }
    const aside = `${this.path}.corrupt-${now.toISOString().replaceAll(':', '-')}`;
    await rename(this.path, aside);
    this.#text = serialize(this.#objects);
    await writeFileAtomic(this.path, this.#text, 0o600);
    this.#diagnostics = [
      {
        severity: 'error',
        code: 'EW_APPLIED_CORRUPT',
        message:
          `${problem}: ` +
          `it was moved to ${aside}; ${this.#objects.length} object(s) could be read and are kept, the ${broken.length} broken document(s) are only in the moved file: recover them from it and apply them again`,
        position: { file: aside, line: first.linePos?.[0].line ?? 1, column: first.linePos?.[0].col ?? 1 },
      },
    ];
  }

  /** What load() found wrong with the file (EW_APPLIED_CORRUPT), for the start report and GET /config/status. */
  get diagnostics(): readonly Diagnostic[] {
    return this.#diagnostics;
  }

  get objects(): readonly KubeObject[] {
    return this.#objects;
  }

  /** Whether the file exists in practice (has objects), so the loader should read it. */
  get inUse(): boolean {
    return this.#objects.length > 0;
  }

  get revision(): number {
    return this.#revision;
  }

  /** The layer's objects as the loader validates them (problems, as in any file, leave those objects out). */
  async list(): Promise<ObjectListing> {
    const revision = this.#revision;
    if (!this.inUse) return { objects: [], revision };
    return { objects: loadConfigText([{ path: this.path, text: this.#text }], { apiFiles: [this.path] }).objects, revision };
  }

  async watch(fromRevision: number, onChange: (revision: number) => void): Promise<SourceWatch> {
    this.#listeners.add(onChange);
    if (this.#revision > fromRevision) queueMicrotask(() => onChange(this.#revision));
    return { close: () => this.#listeners.delete(onChange) };
  }

  /**
   * Runs `change` over the current objects and persists the result, one change at a time. `change` may throw to
   * refuse; then nothing is written. Resolves with what `after` returns once the file is in place.
   */
  update<T>(change: (objects: readonly KubeObject[]) => readonly KubeObject[], after: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const next = change(this.#objects);
      const text = serialize(next);
      await mkdir(this.#dir, { recursive: true });
      await writeFileAtomic(this.path, text, 0o600);
      this.#objects = next;
      this.#text = text;
      this.#revision++;
      for (const listener of this.#listeners) listener(this.#revision);
      return after();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function serialize(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/** The objects with `object` put in place of the one with its identity, or appended. */
export function upsert(objects: readonly KubeObject[], object: KubeObject): KubeObject[] {
  const key = storeKey(object.kind, object.metadata.namespace, object.metadata.name);
  const out = objects.filter((o) => storeKey(o.kind, o.metadata.namespace, o.metadata.name) !== key);
  out.push(object);
  return out;
}

export function remove(objects: readonly KubeObject[], kind: string, namespace: string | undefined, name: string): KubeObject[] {
  const key = storeKey(kind, namespace, name);
  return objects.filter((o) => storeKey(o.kind, o.metadata.namespace, o.metadata.name) !== key);
}
