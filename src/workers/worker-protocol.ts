/**
 * The messages between the primary and its data-plane workers (node:cluster IPC, `serialization: 'advanced'`, so
 * Dates and Maps cross as they are). A generation crosses as the inputs of compileSnapshot — the objects, the
 * settings, the allocation state the primary computed and persisted, the clock it compiled with and the other
 * clusters' objects — because a Snapshot holds compiled routers and cannot be cloned. compileSnapshot honours every
 * allocation in `state`, so a worker serves exactly the addresses the primary allocated and never allocates itself.
 * The inputs are generation-inputs.ts; how they are encoded so that a reload sends only what changed, generation-wire.ts.
 *
 * A reload is two-phase: `prepare` compiles beside the serving snapshot and answers `prepared` (or `failed`), and
 * only when every worker has prepared does the primary send `commit`, which binds and swaps; `abort` drops a
 * prepared generation.
 *
 * `metrics` and `upstreams` are the admin listener's questions (worker-queries.ts): each worker answers with its
 * registry, or with its view of every backend's endpoints (their ejection, locality plan and load), under the id asked.
 *
 * `ticket-keys` carries the primary's TLS session ticket keys (ticket-key-share.ts): first right after the fork, then
 * after every rotation.
 */
import type { BackendStatus } from '../dataplane/upstream/upstream-status.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { TicketKeyPair } from '../tls/ticket-keys.ts';
import type { WireInputs } from './generation-wire.ts';
import type { HealthVerdict } from './health-verdicts.ts';

export type ToWorker =
  | { readonly type: 'prepare'; readonly inputs: WireInputs }
  | { readonly type: 'commit'; readonly generation: number }
  | { readonly type: 'abort'; readonly generation: number }
  | { readonly type: 'metrics'; readonly id: number }
  | { readonly type: 'upstreams'; readonly id: number }
  | { readonly type: 'health'; readonly verdicts: readonly HealthVerdict[] }
  | { readonly type: 'ticket-keys'; readonly keys: TicketKeyPair }
  | { readonly type: 'drain'; readonly drainMs: number };

export interface WorkerAddress {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export type FromWorker =
  | { readonly type: 'prepared'; readonly generation: number; readonly compileMs: number }
  | {
      readonly type: 'committed';
      readonly generation: number;
      readonly addresses: readonly WorkerAddress[];
      /** Service listeners this worker could not bind, by Service (shown by /config/status as in one process). */
      readonly listenerFailures: Snapshot['listenerFailures'];
    }
  | { readonly type: 'failed'; readonly generation: number; readonly message: string }
  | { readonly type: 'metrics'; readonly id: number; readonly metrics: unknown }
  | { readonly type: 'upstreams'; readonly id: number; readonly backends: readonly BackendStatus[] }
  | { readonly type: 'log'; readonly text: string };
