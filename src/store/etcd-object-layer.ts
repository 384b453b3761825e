/**
 * The objects written through the API when replicas share them in etcd: one key per object (registry-key.ts), read
 * into a local cache by one range and kept current by one watch over the edgeway prefix. It is an object source (a
 * listing with a revision: etcd's) and the API's write path (writable-layer.ts), in place of the state directory's
 * file.
 *
 * - Reads never wait for etcd: list() hands out the cache, so a replica cut off from etcd keeps compiling and
 *   serving the objects it last saw.
 * - sync() gives a build its revision: it writes this replica's sync key and waits until the watch has delivered
 *   that write. Every object written before is then in the cache, every later write has a higher revision, and the
 *   revision itself was handed to this replica alone: the API stamps what the replica computed itself (status, files,
 *   Events) with it, so versions from etcd and from the replica never collide (api/storage/serve-generation.ts).
 * - A write is one transaction guarded by the mod revisions of the listing it was computed from (stored-changes.ts).
 *   When another replica got in between, the write waits for the watch to bring that change, reloads so the API
 *   view shows it, and runs its checks again; it never overwrites what it has not seen.
 * - The watch resumes by itself after a disconnection. When the revision it needs was compacted meanwhile, etcd
 *   cancels it; the layer then lists everything again and watches from the new revision (as a client relists on 410).
 */
import { randomUUID } from 'node:crypto';
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import { EdgewayError } from '../edgeway-error.ts';
import type { KubeObject } from '../k8s/types.ts';
import { decodeStoredObject, type DecodedObject } from './decode-stored-object.ts';
import type { ObjectListing, ObjectSource, SourceWatch } from './object-source.ts';
import { storeKey } from './object-store.ts';
import { registryRoot, replicasRoot, trimPrefix } from './registry-key.ts';
import { storedChanges, type SeenObject } from './stored-changes.ts';
import type { WritableLayer } from './writable-layer.ts';

export interface EtcdLayerOptions {
  readonly prefix: string;
  /** This replica's name: its sync and files keys live under `<prefix>/replicas/<name>/`. */
  readonly replica: string;
  /** How long sync() waits for etcd (default 3 s); a write waits three times as long. */
  readonly timeoutMs?: number;
  /** Hears every change of reachability the watch notices. */
  readonly reachability?: (reachable: boolean, error?: Error) => void;
  /** Hears another replica's published files (replica-files.ts): its name, the value (null when removed), the key. */
  readonly peerFiles?: (replica: string, value: string | null, key: string) => void;
  /** Hears that everything is listed again: the peers' files heard so far are replaced by what follows. */
  readonly peersReset?: () => void;
}

/** How many operations go into one transaction: etcd refuses more than 128 by default. */
const MAX_TXN_OPS = 100;
/** How often a write is computed again after losing a race to another replica. */
const MAX_WRITE_ATTEMPTS = 5;

export class EtcdObjectLayer implements ObjectSource, WritableLayer {
  readonly #client: Etcd3;
  readonly #prefix: string;
  readonly #root: string;
  readonly #replicas: string;
  readonly #syncKey: string;
  readonly #timeoutMs: number;
  readonly #options: EtcdLayerOptions;
  /** etcd key → the decoded object, or why it is left out. */
  readonly #cache = new Map<string, DecodedObject | Diagnostic>();
  /** The highest etcd revision the cache reflects. */
  #revision = 0;
  #watcher: Watcher | null = null;
  /**
   * Every watch this layer opened: close() cancels them all (a relist opens another). One etcd canceled stays here
   * too: etcd3 can still hold it, and a watch left attached when the client closes keeps the process alive.
   */
  readonly #watchers = new Set<Watcher>();
  #closed = false;
  #reachable = true;
  readonly #listeners = new Set<(revision: number) => void>();
  readonly #waiters: { readonly revision: number; readonly resolve: () => void }[] = [];
  /** What the last list() handed out, by store key: a write is computed from it and guarded by its revisions. */
  #listed = new Map<string, SeenObject>();
  #listing: { readonly revision: number; readonly objects: readonly LoadedObject[] } | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(client: Etcd3, options: EtcdLayerOptions) {
    this.#client = client;
    this.#options = options;
    this.#prefix = trimPrefix(options.prefix);
    this.#root = registryRoot(this.#prefix);
    this.#replicas = replicasRoot(this.#prefix);
    this.#syncKey = `${this.#replicas}${options.replica}/sync`;
    this.#timeoutMs = options.timeoutMs ?? 3000;
  }

  /** Lists everything and starts the watch; rejects when etcd cannot be reached. */
  async start(): Promise<void> {
    await this.#relist();
  }

  get revision(): number {
    return this.#revision;
  }

  /** Stored values that cannot be served, each naming its key. */
  get diagnostics(): readonly Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const v of this.#cache.values()) if (!('loaded' in v)) out.push(v);
    return out;
  }

  async list(): Promise<ObjectListing> {
    const revision = this.#revision;
    if (this.#listing?.revision === revision) return this.#listing;
    const listed = new Map<string, SeenObject>();
    const objects: LoadedObject[] = [];
    for (const [key, v] of [...this.#cache].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!('loaded' in v)) continue;
      const o = v.loaded.object;
      objects.push(v.loaded);
      listed.set(storeKey(o.kind, o.metadata.namespace, o.metadata.name), { key, object: o, modRevision: v.modRevision });
    }
    this.#listed = listed;
    this.#listing = { revision, objects };
    return this.#listing;
  }

  async watch(fromRevision: number, onChange: (revision: number) => void): Promise<SourceWatch> {
    this.#listeners.add(onChange);
    if (this.#revision > fromRevision) queueMicrotask(() => onChange(this.#revision));
    return { close: () => this.#listeners.delete(onChange) };
  }

  /**
   * A revision handed to this replica alone, with every write before it in the cache (see the module comment);
   * null when etcd does not answer in time (the caller builds from the cache as it is).
   */
  async sync(): Promise<number | null> {
    try {
      const put = await this.#timed(this.#client.put(this.#syncKey).value(new Date().toISOString()).exec());
      const revision = Number(put.header.revision);
      await this.#caughtUp(revision);
      this.#setReachable(true);
      return revision;
    } catch {
      // Not a verdict on reachability: a busy etcd or a busy replica is slow, not gone. The watch and the liveness
      // probe say when etcd is unreachable; this build simply has no sync point.
      return null;
    }
  }

  /** Puts `value` under `<prefix>/replicas/<this replica>/<name>` (the replica's published facts). */
  async publish(name: string, value: string): Promise<void> {
    await this.#timed(this.#client.put(`${this.#replicas}${this.#options.replica}/${name}`).value(value).exec());
  }

  /**
   * Writes are computed and committed one at a time, but the reload that puts one into service runs after the
   * queue has moved on: writes arriving together then share reloads (the reloader folds the requests), instead of
   * each waiting for a reload of its own. A write computed from a listing that lacks an earlier write of its key
   * fails its compare, reloads and is computed again; writes of other keys do not touch each other.
   */
  update<T>(change: (objects: readonly KubeObject[]) => readonly KubeObject[], after: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      for (let attempt = 1; ; attempt++) {
        if (!this.#reachable) throw unreachable();
        const seen = this.#listed;
        const next = change([...seen.values()].map((s) => s.object));
        const changes = storedChanges(this.#prefix, seen, next, new Date(), randomUUID);
        if (changes.length === 0) return;
        const result = await this.#commit(changes);
        // Either way the cache should reach the revision of the outcome before the reload lists it; a watch slower
        // than that only delays when the write is shown, the write itself is stored.
        await this.#caughtUp(result.revision, this.#timeoutMs * 3).catch(() => undefined);
        if (result.succeeded) return;
        await after();
        if (attempt === MAX_WRITE_ATTEMPTS) {
          throw new EdgewayError('EW_WRITE_CONFLICT', 'the object kept changing through other replicas while this write was computed; try again');
        }
      }
    });
    this.#queue = run.catch(() => undefined);
    return run.then(after);
  }

  /**
   * Stops the watch; the client may be closed once this resolves. A watch still attached when its client closes
   * would keep etcd3 reconnecting it, and the process alive, forever.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w.resolve();
    this.#watcher = null;
    await Promise.all([...this.#watchers].map((w) => this.#timed(w.cancel()).catch(() => undefined)));
    this.#watchers.clear();
  }

  /** Applies the changes in transactions of at most MAX_TXN_OPS; the first that fails stops the rest. */
  async #commit(changes: readonly ReturnType<typeof storedChanges>[number][]): Promise<{ succeeded: boolean; revision: number }> {
    let revision = 0;
    for (let i = 0; i < changes.length; i += MAX_TXN_OPS) {
      const chunk = changes.slice(i, i + MAX_TXN_OPS);
      const [first, ...rest] = chunk;
      let txn = this.#client.if(first!.key, 'Mod', '==', first!.expected);
      for (const c of rest) txn = txn.and(c.key, 'Mod', '==', c.expected);
      txn = txn.then(...chunk.map((c) => (c.op === 'put' ? this.#client.put(c.key).value(c.value) : this.#client.delete().key(c.key))));
      let result: Awaited<ReturnType<typeof txn.commit>>;
      try {
        result = await this.#timed(txn.commit(), this.#timeoutMs * 3);
      } catch (error) {
        throw unreachable(error);
      }
      revision = Number(result.header.revision);
      if (!result.succeeded) return { succeeded: false, revision };
    }
    return { succeeded: true, revision };
  }

  /**
   * One range over the whole prefix (the registry and the replicas' keys at one revision: two ranges could miss a
   * write between them), then a watch from just after it. What was known before is dropped, peers' files included.
   */
  async #relist(): Promise<void> {
    const all = await this.#timed(this.#client.getAll().prefix(`${this.#prefix}/`).exec());
    const revision = Number(all.header.revision);
    this.#cache.clear();
    this.#options.peersReset?.();
    for (const kv of all.kvs) {
      const key = kv.key.toString('utf8');
      if (key.startsWith(this.#root)) this.#put(kv);
      else if (key.startsWith(this.#replicas)) this.#replicaKey(kv, false);
    }
    this.#advance(revision);
    await this.#startWatch(revision + 1);
    this.#setReachable(true);
    this.#notify();
  }

  async #startWatch(from: number): Promise<void> {
    const watcher = await this.#client.watch().prefix(`${this.#prefix}/`).startRevision(String(from)).create();
    this.#watchers.add(watcher);
    if (this.#closed) {
      await watcher.cancel();
      return;
    }
    this.#watcher = watcher;
    watcher.on('data', (res: IWatchResponse) => this.#onData(res));
    watcher.on('disconnected', (error: Error) => this.#setReachable(false, error));
    watcher.on('connected', () => {
      const was = this.#reachable;
      this.#setReachable(true);
      // Back after an outage: a reload brings the API view up to what the outage held back.
      if (!was) this.#notify();
    });
    // Canceled by etcd, typically because the revision to resume from was compacted: list again.
    watcher.on('error', (error: Error) => {
      if (this.#watcher !== watcher || this.#closed) return;
      this.#watcher = null;
      this.#setReachable(false, error);
      void this.#relistUntilDone();
    });
  }

  async #relistUntilDone(): Promise<void> {
    for (let delay = 200; !this.#closed; delay = Math.min(delay * 2, 5000)) {
      try {
        await this.#relist();
        return;
      } catch (error) {
        this.#setReachable(false, error as Error);
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  #onData(res: IWatchResponse): void {
    let changed = false;
    for (const event of res.events) {
      const key = event.kv.key.toString('utf8');
      if (key.startsWith(this.#root)) {
        if (event.type === 'Delete') this.#cache.delete(key);
        else this.#put(event.kv);
        changed = true;
      } else if (key.startsWith(this.#replicas)) {
        changed = this.#replicaKey(event.kv, event.type === 'Delete') || changed;
      }
    }
    this.#advance(Number(res.header.revision));
    if (changed) this.#notify();
  }

  #put(kv: IKeyValue): void {
    const key = kv.key.toString('utf8');
    this.#cache.set(key, decodeStoredObject(this.#prefix, key, kv.value.toString('utf8'), Number(kv.mod_revision)));
  }

  /** Another replica's published files are passed on; whether they matter is the listener's to say (returns true to reload). */
  #replicaKey(kv: IKeyValue, deleted: boolean): boolean {
    const key = kv.key.toString('utf8');
    const rest = key.slice(this.#replicas.length);
    const slash = rest.indexOf('/');
    const replica = rest.slice(0, slash);
    if (replica === this.#options.replica || rest.slice(slash + 1) !== 'files') return false;
    this.#options.peerFiles?.(replica, deleted ? null : kv.value.toString('utf8'), key);
    return true;
  }

  #advance(revision: number): void {
    if (revision > this.#revision) this.#revision = revision;
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i]!;
      if (w.revision <= this.#revision) {
        this.#waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  #caughtUp(revision: number, timeoutMs = this.#timeoutMs): Promise<void> {
    if (revision <= this.#revision || this.#closed) return Promise.resolve();
    return this.#timed(new Promise<void>((resolve) => this.#waiters.push({ revision, resolve })), timeoutMs);
  }

  #notify(): void {
    for (const listener of this.#listeners) listener(this.#revision);
  }

  #setReachable(reachable: boolean, error?: Error): void {
    if (this.#reachable === reachable) return;
    this.#reachable = reachable;
    this.#options.reachability?.(reachable, error);
  }

  /** `p`, or a rejection once etcd has not answered for timeoutMs. */
  #timed<T>(p: Promise<T>, timeoutMs = this.#timeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`etcd did not answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }
}

function unreachable(cause?: unknown): EdgewayError {
  const message =
    cause === undefined
      ? 'etcd cannot be reached: the change was not stored; try again when it is back'
      : `etcd did not confirm the change (${(cause as Error).message}): it may not have been stored; read the object before trying again`;
  return new EdgewayError('EW_SHARED_STATE_UNREACHABLE', message, { cause });
}
