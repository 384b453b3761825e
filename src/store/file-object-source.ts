/**
 * The configuration files as an object source: list() loads the --config paths with the loader (reusing the last
 * load's parses through the ParseCache) and watch() follows them with the config watcher. Its revision counts the
 * file changes the watcher has reported.
 *
 * The applied layer's file, when it holds objects, is read in the same load after the configuration files, so both
 * layers get one validation and a duplicate between them is reported as before (the file wins); its objects carry the
 * API origin. Changes to that layer are the layer's own to report (store/applied-layer.ts).
 */
import { loadConfig, type ConfigLoad } from '../config/load-config.ts';
import type { ParseCache } from '../config/parse-cache.ts';
import type { YamlLimits } from '../config/yaml-limits.ts';
import { ConfigWatcher } from '../reload/config-watcher.ts';
import type { AppliedLayer } from './applied-layer.ts';
import type { ObjectListing, ObjectSource, SourceWatch } from './object-source.ts';

/** A load of the files: the objects with the settings, diagnostics and counts the loader gives. */
export interface FileListing extends ConfigLoad, ObjectListing {}

export interface FileSourceOptions {
  readonly cache: ParseCache;
  /** The applied layer to read with the files; a function, since the layer's state dir is known from the first load. */
  readonly applied?: () => AppliedLayer | undefined;
}

export class FileObjectSource implements ObjectSource<FileListing> {
  readonly #paths: readonly string[];
  readonly #cache: ParseCache;
  readonly #applied: () => AppliedLayer | undefined;
  #revision = 0;
  /** One watcher for every watch(): each file change counts once, however many listen. */
  #watcher: ConfigWatcher | null = null;
  readonly #listeners = new Set<(revision: number) => void>();

  constructor(paths: readonly string[], options: FileSourceOptions) {
    this.#paths = paths;
    this.#cache = options.cache;
    this.#applied = options.applied ?? (() => undefined);
  }

  get revision(): number {
    return this.#revision;
  }

  /**
   * Loads the files. `maxBytes` caps each file and `yamlLimits` each document; on reload pass the running settings'
   * maxConfigBytes and yamlLimits (a file's own settings cannot apply before the file is read).
   */
  async list(options: { readonly maxBytes?: number; readonly yamlLimits?: YamlLimits } = {}): Promise<FileListing> {
    // Taken before reading: a change during the load is after this revision and is reported again.
    const revision = this.#revision;
    const layer = this.#applied();
    const apiFiles = layer?.inUse === true ? [layer.path] : [];
    const paths = apiFiles.length === 0 ? this.#paths : [...this.#paths, ...apiFiles];
    const load = await loadConfig(paths, {
      cache: this.#cache,
      apiFiles,
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      ...(options.yamlLimits === undefined ? {} : { yamlLimits: options.yamlLimits }),
    });
    return { ...load, revision };
  }

  async watch(fromRevision: number, onChange: (revision: number) => void, onError: (err: Error) => void): Promise<SourceWatch> {
    if (this.#watcher === null) {
      const watcher = new ConfigWatcher(this.#paths, () => this.#changed(), onError);
      try {
        await watcher.start();
      } catch (err) {
        watcher.close();
        throw err;
      }
      this.#watcher = watcher;
    }
    this.#listeners.add(onChange);
    if (this.#revision > fromRevision) queueMicrotask(() => onChange(this.#revision));
    return {
      close: () => {
        this.#listeners.delete(onChange);
        if (this.#listeners.size > 0) return;
        this.#watcher?.close();
        this.#watcher = null;
      },
    };
  }

  #changed(): void {
    this.#revision++;
    for (const listener of this.#listeners) listener(this.#revision);
  }
}
