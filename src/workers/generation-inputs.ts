/**
 * What a worker needs to build a generation again, as the primary holds it: the inputs of compileSnapshot for a
 * snapshot the primary compiled and persisted (a Snapshot itself holds compiled routers and cannot be copied to
 * another process). Sent to the workers encoded by generation-wire.ts.
 */
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Settings } from '../config/settings.ts';
import type { AllocationState } from '../allocation/allocation-state.ts';
import type { ClusterStore } from '../snapshot/compile-snapshot.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';

/** What compileSnapshot needs to build a generation again, as the primary holds it. */
export interface GenerationInputs {
  readonly generation: number;
  readonly objects: readonly LoadedObject[];
  readonly settings: Settings;
  readonly state: AllocationState;
  readonly now: Date;
  readonly clusters: readonly ClusterStore[];
}

/** The inputs of a snapshot the primary compiled and persisted, to be sent to every worker. */
export function generationInputs(snapshot: Snapshot, store: Iterable<LoadedObject>, clusters: readonly ClusterStore[]): GenerationInputs {
  return {
    generation: snapshot.generation,
    objects: [...store],
    settings: snapshot.settings,
    state: snapshot.addresses.state,
    now: snapshot.compiledAt,
    clusters,
  };
}
