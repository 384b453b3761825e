/**
 * What the API serves and remembers, advanced once per generation swap: the ServedView (objects with their
 * metadata), the metadata state persisted through an ObjectMetaStore, the watch history, and the Events edgeway
 * records (api/events). advance() does all the work of a swap once, so requests and watchers only read its results;
 * the view and the events are published only after the metadata is durable, so a version a client saw is never
 * given again after a crash.
 */
import { randomUUID } from 'node:crypto';
import type { Snapshot } from '../../snapshot/snapshot.ts';
import type { ObjectStore } from '../../store/object-store.ts';
import type { Diagnostic } from '../../config/diagnostic.ts';
import type { KubeObject } from '../../k8s/types.ts';
import type { EventInput } from '../events/event-input.ts';
import { EVENT_CAPACITY, EventLog } from '../events/event-log.ts';
import { generationEvents } from '../events/generation-events.ts';
import { EventHistory } from '../watch/event-history.ts';
import { EMPTY_META_STATE, type MetaState, type ObjectMetaStore, type StoredMeta } from './object-meta-store.ts';
import { serveGeneration } from './serve-generation.ts';
import { EMPTY_VIEW, type ServedView } from './served-view.ts';

/** Events kept for watches; a watch from an older version gets 410 Expired and lists again. */
export const HISTORY_CAPACITY = 10_000;

export class ApiStorage {
  readonly #metaStore: ObjectMetaStore;
  #state: MetaState;
  #view: ServedView = EMPTY_VIEW;
  readonly history: EventHistory;
  readonly #events: EventLog;

  private constructor(metaStore: ObjectMetaStore, state: MetaState, capacity: number, replica: string | undefined) {
    this.#metaStore = metaStore;
    this.#events = new EventLog(EVENT_CAPACITY, replica);
    this.#state = state;
    this.history = new EventHistory(capacity, state.revision);
  }

  /**
   * `replica` names this replica in the Events it records (the host name when absent). `sharedRevision`: with
   * objects shared in etcd, etcd's revision now. Stored metadata from a higher revision was stamped against another
   * store (a state dir used before etcd, or an etcd that was replaced); its versions could come again, so the replica
   * starts its metadata afresh (clients list again).
   */
  static async open(metaStore: ObjectMetaStore, capacity = HISTORY_CAPACITY, replica?: string, sharedRevision?: number): Promise<ApiStorage> {
    const state = await metaStore.load();
    const usable = sharedRevision === undefined || state.revision <= sharedRevision ? state : EMPTY_META_STATE;
    return new ApiStorage(metaStore, usable, capacity, replica);
  }

  get view(): ServedView {
    return this.#view;
  }

  /**
   * Serves the generation of `store` and `snapshot`: stamps versions, persists them, publishes view and events.
   * `extra` are Events beside the generation's own (a rejected reload, served again with the running generation).
   */
  async advance(
    store: ObjectStore,
    snapshot: Snapshot,
    loadDiagnostics: readonly Diagnostic[] = [],
    now: Date = new Date(),
    extra: readonly EventInput[] = [],
    shared?: { readonly revision: number },
  ): Promise<void> {
    const reported = [...generationEvents(snapshot, loadDiagnostics), ...extra];
    const events = (metaOf: (key: string) => StoredMeta | undefined): readonly KubeObject[] => {
      this.#events.record(reported, now, metaOf);
      return this.#events.events();
    };
    const served = serveGeneration({
      store,
      snapshot,
      state: this.#state,
      previous: this.#view,
      now,
      newUid: randomUUID,
      events,
      ...(shared === undefined ? {} : { shared }),
    });
    if (served.state.revision !== this.#state.revision || served.state.objects.size !== this.#state.objects.size || this.#view === EMPTY_VIEW) {
      await this.#metaStore.save(served.state);
    }
    this.#state = served.state;
    this.#view = served.view;
    this.history.append(served.events, served.view.revision);
  }
}
