/**
 * The second layer of objects: those created or changed through the admin API, persisted in the state directory as
 * one multi-document YAML file (`applied-objects.yaml`). The configuration files stay the base layer; this file is
 * read after them by the same loader, so API objects get the same validation, positions and diagnostics, and an
 * object later also written into a configuration file loses to the file (reported as a duplicate).
 *
 * Writes go through a temp file, fsync and rename (writeFileAtomic), so a crash leaves either the old or the new
 * file, never half of one. Changes are serialized: each one sees the result of the one before.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../k8s/types.ts';
import { writeFileAtomic } from '../tls/pem-pair-files.ts';
import { storeKey } from './object-store.ts';

export const APPLIED_FILE = 'applied-objects.yaml';

export class AppliedLayer {
  readonly path: string;
  readonly #dir: string;
  #objects: readonly KubeObject[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor(stateDir: string) {
    this.#dir = stateDir;
    this.path = join(stateDir, APPLIED_FILE);
  }

  /** Reads the file if there is one; whether it is well-formed is the loader's to report. */
  async load(): Promise<void> {
    const text = await readFile(this.path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw e;
    });
    this.#objects = parseAllDocuments(text).flatMap((d) => {
      const v: unknown = d.errors.length === 0 ? d.toJS() : null;
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? [v as KubeObject] : [];
    });
  }

  get objects(): readonly KubeObject[] {
    return this.#objects;
  }

  /** Whether the file exists in practice (has objects), so the loader should read it. */
  get inUse(): boolean {
    return this.#objects.length > 0;
  }

  /**
   * Runs `change` over the current objects and persists the result, one change at a time. `change` may throw to
   * refuse; then nothing is written. Resolves with what `after` returns once the file is in place.
   */
  update<T>(change: (objects: readonly KubeObject[]) => readonly KubeObject[], after: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const next = change(this.#objects);
      await mkdir(this.#dir, { recursive: true });
      await writeFileAtomic(this.path, next.map((o) => stringify(o)).join('---\n'), 0o600);
      this.#objects = next;
      return after();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
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
