/**
 * The Events edgeway has recorded, bounded and deduplicated as the cluster's event recorder does: the same object,
 * type, reason and message make one Event whose `count` grows and whose `lastTimestamp` moves, never a new one.
 *
 * Fed once per generation swap with what that generation reports (generation-events.ts). Something still reported
 * by the next generation is the same occurrence, not a new one: an Event is counted again only when its cause went
 * away and came back, so a reload of an unchanged configuration changes no Event (and no resourceVersion). Kept in
 * memory only, as a cluster keeps Events for an hour: after a restart the log starts empty. Beyond `capacity` the
 * Event seen least recently is dropped (its watchers see it DELETED).
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { kindEntryOf } from '../../k8s/kinds.ts';
import type { KubeEvent } from '../../k8s/kinds/event.ts';
import { storeKey } from '../../store/object-store.ts';
import type { StoredMeta } from '../storage/object-meta-store.ts';
import type { EventInput } from './event-input.ts';

export const EVENT_CAPACITY = 1000;

const COMPONENT = 'edgeway';

export class EventLog {
  readonly #capacity: number;
  /** By dedup key, least recently seen first (an update moves an Event to the end). */
  readonly #events = new Map<string, KubeEvent>();
  /** The dedup keys the last generation reported. */
  #active: ReadonlySet<string> = new Set();
  /** The replica recording: `source.host` (core v1) and `reportingInstance` (events.k8s.io). */
  readonly #host: string;

  constructor(capacity = EVENT_CAPACITY, replica = hostname()) {
    this.#capacity = capacity;
    this.#host = replica;
  }

  /**
   * Records what a generation reports at `now`; `metaOf` gives the uid and resourceVersion of the objects they are
   * about, as served in that generation (storeKey keys).
   */
  record(inputs: readonly EventInput[], now: Date, metaOf: (key: string) => StoredMeta | undefined): void {
    const at = now.toISOString().replace(/\.\d+Z$/, 'Z');
    const active = new Set<string>();
    for (const input of inputs) {
      const key = dedupKey(input);
      if (active.has(key)) continue;
      active.add(key);
      if (this.#active.has(key) && this.#events.has(key)) continue;
      const before = this.#events.get(key);
      const event =
        before === undefined
          ? this.#create(key, input, at, metaOf)
          : { ...before, count: before.count + 1, lastTimestamp: at, involvedObject: involvedObject(input, metaOf) };
      this.#events.delete(key);
      this.#events.set(key, event);
    }
    this.#active = active;
    for (const key of this.#events.keys()) {
      if (this.#events.size <= this.#capacity) break;
      this.#events.delete(key);
    }
  }

  /** The Events held, least recently seen first. */
  events(): readonly KubeEvent[] {
    return [...this.#events.values()];
  }

  #create(key: string, input: EventInput, at: string, metaOf: (key: string) => StoredMeta | undefined): KubeEvent {
    const namespace = input.involved.namespace ?? 'default';
    // As the recorder names them: the object's name and a suffix unique to this Event.
    const name = `${input.involved.name}.${createHash('sha1').update(key).digest('hex').slice(0, 16)}`;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: involvedObject(input, metaOf),
      reason: input.reason,
      message: input.message,
      type: input.type,
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
      source: { component: COMPONENT, host: this.#host },
      reportingComponent: COMPONENT,
      reportingInstance: this.#host,
    };
  }
}

function dedupKey(e: EventInput): string {
  return JSON.stringify([e.involved.kind, e.involved.namespace ?? '', e.involved.name, e.type, e.reason, e.message]);
}

function involvedObject(input: EventInput, metaOf: (key: string) => StoredMeta | undefined): KubeEvent['involvedObject'] {
  const { kind, namespace, name } = input.involved;
  const entry = kindEntryOf(kind);
  const meta = metaOf(storeKey(kind, entry?.namespaced === false ? undefined : namespace, name));
  return {
    ...(entry === undefined ? {} : { apiVersion: entry.apiVersion }),
    kind,
    ...(namespace === undefined ? {} : { namespace }),
    name,
    ...(meta === undefined ? {} : { uid: meta.uid, resourceVersion: String(meta.resourceVersion) }),
  };
}
