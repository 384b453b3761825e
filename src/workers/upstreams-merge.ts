/**
 * `/debug/upstreams` with data-plane workers: one view from the primary's and each worker's. The primary knows the
 * backends, their endpoints and the active health checks (it probes); only the workers know outlier ejection, panic
 * and load, because each ejects after the failures *it* saw and balances its own requests (docs/workers.md). So every
 * backend and endpoint keeps the fields it has with one process, filled so that they read what an operator means —
 * an endpoint is `ejected` when any worker ejects it and `healthy` only when no worker does; ejections and requests
 * in flight are summed; the remaining ejection time, the failure run and the latency estimate are the worst any
 * worker has; the locality plan is a panicking worker's when one panics — and adds the per-worker breakdown under
 * `workers`. Pure: it reads the views it is given.
 */
import type { BackendStatus, EndpointStatus } from '../dataplane/upstream/upstream-status.ts';

/** One worker's view of the backends, by its cluster id. */
export interface WorkerUpstreams {
  readonly worker: number;
  readonly backends: readonly BackendStatus[];
}

/** The fields of an endpoint that each worker holds for itself. */
type PerWorkerField = 'healthy' | 'ejected' | 'ejectedForMs' | 'ejections' | 'consecutiveFailures' | 'inFlight' | 'ewmaMs';

/** What one worker holds of an endpoint. */
export type WorkerEndpointStatus = Pick<EndpointStatus, PerWorkerField> & { readonly worker: number };

export interface MergedEndpointStatus extends EndpointStatus {
  /** How many workers eject it right now. */
  readonly ejectedBy: number;
  readonly workers: readonly WorkerEndpointStatus[];
}

export interface MergedBackendStatus extends Omit<BackendStatus, 'endpoints'> {
  readonly endpoints: readonly MergedEndpointStatus[];
  /** Each worker's locality plan (which levels serve, panic, why). */
  readonly workers: readonly { readonly worker: number; readonly locality: BackendStatus['locality'] }[];
}

/** The primary's view (`own`) with every worker's ejection, panic and load merged in. */
export function mergeUpstreams(own: readonly BackendStatus[], workers: readonly WorkerUpstreams[]): MergedBackendStatus[] {
  // Indexed once: a worker's backends by key, and each backend's endpoints by address and cluster.
  const views = workers.map((w) => ({ worker: w.worker, backends: new Map(w.backends.map((b) => [b.backend, b])) }));
  return own.map((b) => {
    const theirs = views.flatMap((v) => {
      const backend = v.backends.get(b.backend);
      return backend === undefined ? [] : [{ worker: v.worker, backend, endpoints: new Map(backend.endpoints.map((e) => [endpointKey(e), e])) }];
    });
    const panicking = theirs.find((t) => t.backend.locality.panic);
    return {
      ...b,
      locality: panicking?.backend.locality ?? b.locality,
      endpoints: b.endpoints.map((e) => {
        const key = endpointKey(e);
        const per = theirs.flatMap((t) => {
          const w = t.endpoints.get(key);
          return w === undefined ? [] : [workerEndpoint(t.worker, w)];
        });
        return mergeEndpoint(e, per);
      }),
      workers: theirs.map((t) => ({ worker: t.worker, locality: t.backend.locality })),
    };
  });
}

function mergeEndpoint(e: EndpointStatus, per: readonly WorkerEndpointStatus[]): MergedEndpointStatus {
  const ejectedBy = per.filter((w) => w.ejected).length;
  return {
    ...e,
    healthy: e.healthy && per.every((w) => w.healthy),
    ejected: ejectedBy > 0,
    ejectedForMs: maxOf(per, (w) => w.ejectedForMs),
    ejections: per.reduce((n, w) => n + w.ejections, 0),
    consecutiveFailures: maxOf(per, (w) => w.consecutiveFailures),
    inFlight: per.reduce((n, w) => n + w.inFlight, 0),
    ewmaMs: maxOf(per, (w) => w.ewmaMs),
    ejectedBy,
    workers: per,
  };
}

function workerEndpoint(worker: number, e: EndpointStatus): WorkerEndpointStatus {
  return {
    worker,
    healthy: e.healthy,
    ejected: e.ejected,
    ejectedForMs: e.ejectedForMs,
    ejections: e.ejections,
    consecutiveFailures: e.consecutiveFailures,
    inFlight: e.inFlight,
    ewmaMs: e.ewmaMs,
  };
}

function endpointKey(e: EndpointStatus): string {
  return `${e.cluster} ${e.address}`;
}

function maxOf(per: readonly WorkerEndpointStatus[], value: (w: WorkerEndpointStatus) => number): number {
  return per.reduce((m, w) => Math.max(m, value(w)), 0);
}
