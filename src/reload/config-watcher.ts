/**
 * Watches the --config paths for changes and reports them, debounced. It watches the *directory* of each file, not
 * the file: editors and tools that write a temporary file and rename it over the original replace the inode, and a
 * watch on the old inode would go silent. A --config directory is watched for any *.yaml / *.yml name, and for the
 * `..data` symlink swap Kubernetes uses when it updates a mounted ConfigMap.
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { Debouncer, RELOAD_DEBOUNCE, type DebounceTiming } from './debouncer.ts';

const YAML_FILE = /\.ya?ml$/;

/** Which names in a watched directory matter: any YAML (a --config directory) or the named files. */
interface WatchedDirectory {
  anyYaml: boolean;
  readonly names: Set<string>;
}

/** Pure: groups the --config paths by the directory to watch. `isDirectory` says what each path is. */
export function watchPlan(paths: readonly { path: string; isDirectory: boolean }[]): Map<string, WatchedDirectory> {
  const plan = new Map<string, WatchedDirectory>();
  for (const { path, isDirectory } of paths) {
    const full = resolve(path);
    const dir = isDirectory ? full : dirname(full);
    let entry = plan.get(dir);
    if (entry === undefined) {
      entry = { anyYaml: false, names: new Set() };
      plan.set(dir, entry);
    }
    if (isDirectory) entry.anyYaml = true;
    else entry.names.add(basename(full));
  }
  return plan;
}

/** Pure: whether an event for `name` in a watched directory is a configuration change. */
export function isRelevant(entry: WatchedDirectory, name: string | null): boolean {
  // Some platforms report no name; reloading once too often is harmless.
  if (name === null) return true;
  if (entry.names.has(name) || name === '..data') return true;
  return entry.anyYaml && YAML_FILE.test(name);
}

export class ConfigWatcher {
  readonly #paths: readonly string[];
  readonly #debouncer: Debouncer;
  readonly #onError: (err: Error) => void;
  readonly #watchers: FSWatcher[] = [];

  constructor(paths: readonly string[], onChange: () => void, onError: (err: Error) => void, timing: DebounceTiming = RELOAD_DEBOUNCE) {
    this.#paths = paths;
    this.#debouncer = new Debouncer(timing, onChange);
    this.#onError = onError;
  }

  async start(): Promise<void> {
    const described = await Promise.all(
      this.#paths.map(async (path) => ({
        path,
        isDirectory: await stat(path).then(
          (s) => s.isDirectory(),
          () => false,
        ),
      })),
    );
    for (const [dir, entry] of watchPlan(described)) {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (isRelevant(entry, name === null ? null : String(name))) this.#debouncer.poke();
      });
      // A watched directory that disappears is reported, not thrown: the running configuration keeps serving.
      watcher.on('error', this.#onError);
      this.#watchers.push(watcher);
    }
  }

  close(): void {
    this.#debouncer.cancel();
    for (const w of this.#watchers) w.close();
    this.#watchers.length = 0;
  }
}
