/**
 * The objects written through the API, as the API's write path sees them: one serialized change at a time over the
 * whole set, then a reload. The state directory's file (applied-layer.ts) and etcd (etcd-object-layer.ts) both
 * implement it, so the API's verbs and their checks are written once.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import type { KubeObject } from '../k8s/types.ts';

export interface WritableLayer {
  /**
   * Runs `change` over the objects as last listed and stores the result; `change` may throw to refuse, and then
   * nothing is written. Resolves with what `after` (the reload putting the change into service) returns.
   */
  update<T>(change: (objects: readonly KubeObject[]) => readonly KubeObject[], after: () => Promise<T>): Promise<T>;
  /** What is wrong with stored objects, for the start report and GET /config/status. */
  readonly diagnostics: readonly Diagnostic[];
}
