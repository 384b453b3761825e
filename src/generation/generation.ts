/**
 * One generation of configuration as the process serves it: the compiled snapshot (which carries the settings, TLS
 * material, diagnostics and generation number) together with what was built beside it from the same input. The
 * process holds ONE current Generation and replaces it whole, so the admin API, the object API, DNS and metrics can
 * never pair the snapshot of one generation with the store or admin token of another.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import type { BuildCost } from '../reload/build-cost.ts';
import type { ClusterStore } from '../snapshot/compile-snapshot.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { ObjectStore } from '../store/object-store.ts';

export interface Generation {
  /** What is served; once applied, with the Service listeners that could not be bound recorded on it. */
  readonly snapshot: Snapshot;
  /** The objects the snapshot was compiled from; the next build continues from them. */
  readonly store: ObjectStore;
  /** The other clusters' objects this generation federated (settings `clusters`); absent or empty without any. */
  readonly clusters?: readonly ClusterStore[];
  /** Objects left out of this generation because they were invalid. */
  readonly skipped: number;
  /** What loading the configuration found (warnings, objects left out), shown by GET /config/status. */
  readonly loadDiagnostics: readonly Diagnostic[];
  /** The admin token of these settings (read from tokenFile when that is how it is given); null when none is set. */
  readonly token: string | null;
  /** CPU time by phase: load and compile from the build, apply once it has been swapped in (0 before). */
  readonly cost: BuildCost;
  /**
   * When replicas share state in etcd: the revision of this build's sync point, which the API stamps what this
   * replica computed with (api/storage/serve-generation.ts); null when etcd did not answer, so the API keeps the
   * view it has. Absent on one machine.
   */
  readonly syncRevision?: number | null;
}
