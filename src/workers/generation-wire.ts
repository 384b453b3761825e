/**
 * A generation on the wire, relative to the last one every worker committed: an object the primary sent before and
 * still holds (the parse cache hands back every unchanged document as the same object) crosses as its number, and
 * settings and allocation state equal to the last ones cross as null. The worker then compiles with the very objects,
 * settings and state it compiled with before, so its compile memo (snapshot/compile-memo.ts, keyed by identity)
 * reuses everything that did not change, as the primary's does. A restarted worker gets everything in full.
 * Measured with perf/tools/worker-reload-cost.ts.
 */
import type { SourcePosition } from '../config/diagnostic.ts';
import type { LoadedObject, ObjectOrigin } from '../config/loaded-object.ts';
import type { Settings } from '../config/settings.ts';
import type { AllocationState } from '../allocation/allocation-state.ts';
import type { KubeObject } from '../k8s/types.ts';
import type { ClusterStore } from '../snapshot/compile-snapshot.ts';
import { ObjectStore } from '../store/object-store.ts';
import type { GenerationInputs } from './generation-inputs.ts';

/** A new object (LoadedObject without its `locate`: a worker reports no diagnostics), or the number of a known one. */
export type WireObject = number | { readonly id: number; readonly object: KubeObject; readonly position: SourcePosition; readonly origin: ObjectOrigin };

export interface WireInputs {
  readonly generation: number;
  readonly objects: readonly WireObject[];
  /** null: the same as the last committed generation's. */
  readonly settings: Settings | null;
  readonly state: AllocationState | null;
  readonly now: Date;
  /** The other clusters' objects, always in full (each reload reads them afresh). */
  readonly clusters: readonly (Omit<ClusterStore, 'store'> & { readonly objects: readonly LoadedObjectData[] })[];
}

type LoadedObjectData = Pick<LoadedObject, 'object' | 'position' | 'origin'>;

/** What the primary and each worker agree was last committed. */
interface Base<K> {
  readonly ids: Map<K, number>;
  readonly settings: Settings | null;
  readonly state: AllocationState | null;
}

function data(l: LoadedObject): LoadedObjectData {
  return { object: l.object, position: l.position, origin: l.origin };
}

/** The primary's side. */
export class WireEncoder {
  #base: Base<LoadedObject> | null = null;
  #nextId = 1;

  /**
   * The inputs relative to the committed base (`wire`), the same in full for a worker that knows nothing (`full`:
   * the same object numbers, so that worker can take the next delta too), and the base they make once committed.
   */
  encode(inputs: GenerationInputs): { readonly wire: WireInputs; readonly full: WireInputs; readonly base: Base<LoadedObject> } {
    const base = this.#base;
    const ids = new Map<LoadedObject, number>();
    const objects: WireObject[] = [];
    const fullObjects: WireObject[] = [];
    for (const l of inputs.objects) {
      const known = base?.ids.get(l);
      const id = known ?? this.#nextId++;
      ids.set(l, id);
      const whole = { id, ...data(l) };
      objects.push(known === undefined ? whole : id);
      fullObjects.push(whole);
    }
    const full: WireInputs = {
      generation: inputs.generation,
      objects: fullObjects,
      settings: inputs.settings,
      state: inputs.state,
      now: inputs.now,
      clusters: inputs.clusters.map(({ store, ...rest }) => ({ ...rest, objects: Array.from(store, data) })),
    };
    const wire: WireInputs =
      base === null
        ? full
        : {
            ...full,
            objects,
            settings: base.settings === inputs.settings ? null : inputs.settings,
            state: sameState(base.state, inputs.state) ? null : inputs.state,
          };
    return { wire, full, base: { ids, settings: inputs.settings, state: inputs.state } };
  }

  /** Every worker has committed what `base` describes. */
  commit(base: Base<LoadedObject>): void {
    this.#base = base;
  }
}

function sameState(a: AllocationState | null, b: AllocationState): boolean {
  return a === b || (a !== null && JSON.stringify(a) === JSON.stringify(b));
}

/** A worker's side: the compile inputs rebuilt from the wire and its committed base. */
export class WireDecoder {
  #objects = new Map<number, LoadedObject>();
  #settings: Settings | null = null;
  #state: AllocationState | null = null;
  #pending: { readonly objects: Map<number, LoadedObject>; readonly settings: Settings; readonly state: AllocationState } | null = null;

  decode(wire: WireInputs): {
    readonly store: ObjectStore;
    readonly settings: Settings;
    readonly state: AllocationState;
    readonly clusters: readonly ClusterStore[];
  } {
    const objects = new Map<number, LoadedObject>();
    const loadedObjects = wire.objects.map((w) => {
      const l = typeof w === 'number' ? this.#objects.get(w) : loaded(w);
      if (l === undefined) throw new Error(`object ${String(w)} is not known to this worker`);
      objects.set(typeof w === 'number' ? w : w.id, l);
      return l;
    });
    const settings = wire.settings ?? this.#settings;
    const state = wire.state ?? this.#state;
    if (settings === null || state === null) throw new Error('the settings or allocation state are not known to this worker');
    this.#pending = { objects, settings, state };
    return {
      store: new ObjectStore(loadedObjects),
      settings,
      state,
      clusters: wire.clusters.map(({ objects: o, ...rest }) => ({ ...rest, store: new ObjectStore(o.map(loaded)) })),
    };
  }

  /** The decoded generation was committed: the next one is relative to it. */
  commit(): void {
    if (this.#pending === null) return;
    this.#objects = this.#pending.objects;
    this.#settings = this.#pending.settings;
    this.#state = this.#pending.state;
    this.#pending = null;
  }

  abort(): void {
    this.#pending = null;
  }
}

function loaded(o: LoadedObjectData): LoadedObject {
  const position = o.position;
  return { object: o.object, position, origin: o.origin, locate: () => position };
}
