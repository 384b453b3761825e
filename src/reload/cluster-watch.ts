/**
 * Watches the other clusters' manifest files (settings `clusters[].config`) as the main configuration is watched, so
 * an edit there reloads without SIGHUP or `POST /reload`. The paths come from the settings, which a reload may
 * change: `follow` is called with every serving generation's settings and restarts the watch only when the set of
 * paths (or `reload.watch`) changed. A path that cannot be watched is reported and the others still are.
 */
import type { Settings } from '../config/settings.ts';
import { ConfigWatcher } from './config-watcher.ts';

/** Pure: the paths to watch for these settings, sorted and without repeats; none when watching is off. */
export function clusterWatchPaths(settings: Settings): readonly string[] {
  if (!settings.reload.watch) return [];
  return [...new Set(settings.clusters.flatMap((c) => c.config))].sort();
}

export class ClusterWatch {
  readonly #onChange: () => void;
  readonly #onError: (err: Error) => void;
  #watcher: ConfigWatcher | null = null;
  #paths = '';
  #closed = false;

  constructor(onChange: () => void, onError: (err: Error) => void) {
    this.#onChange = onChange;
    this.#onError = onError;
  }

  async follow(settings: Settings): Promise<void> {
    const paths = clusterWatchPaths(settings);
    const key = paths.join('\0');
    if (this.#closed || key === this.#paths) return;
    this.#watcher?.close();
    this.#watcher = null;
    this.#paths = key;
    if (paths.length === 0) return;
    const watcher = new ConfigWatcher(paths, this.#onChange, this.#onError);
    try {
      await watcher.start();
    } catch (err) {
      watcher.close();
      this.#paths = '';
      this.#onError(err as Error);
      return;
    }
    if (this.#closed) return void watcher.close();
    this.#watcher = watcher;
  }

  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    this.#watcher = null;
  }
}
