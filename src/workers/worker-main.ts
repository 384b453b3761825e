/**
 * A data-plane worker: the entry node:cluster forks (worker-pool.ts). It holds a DataPlane and nothing of the control
 * plane: each generation arrives as compile inputs (worker-protocol.ts), is compiled here with the allocation state
 * the primary computed, and is swapped in on `commit`. Listeners are opened through node:cluster, so the primary
 * holds every listening socket (entrypoints and Service listeners alike) and hands connections out round-robin.
 * Log lines go to the primary (ipc-log.ts); `/metrics` asks each worker for its registry (metrics-merge.ts) and
 * `/debug/upstreams` for its view of the endpoints (upstreams-merge.ts): outlier ejection and panic happen here.
 */
import cluster from 'node:cluster';
import type { Registry } from 'prom-client';
import { DataPlane } from '../dataplane/data-plane.ts';
import { bindServiceListeners } from '../dataplane/listeners/bind-service-listeners.ts';
import { upstreamStatus, type BackendStatus } from '../dataplane/upstream/upstream-status.ts';
import { EdgewayMetrics } from '../exporter/edgeway-metrics.ts';
import { applyHeapGrowth } from '../heap-growth.ts';
import type { ReloadStatus } from '../reload/reloader.ts';
import { CompileMemo } from '../snapshot/compile-memo.ts';
import { compileSnapshot } from '../snapshot/compile-snapshot.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { loadDefaultCertificate } from '../tls/default-certificate.ts';
import { applyVerdicts } from './health-verdicts.ts';
import { createWorkerLogger } from './ipc-log.ts';
import { LimitShare } from './limit-share.ts';
import { TicketKeyFollower } from './ticket-key-share.ts';
import { WireDecoder } from './generation-wire.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

/** Reload outcomes are the primary's to report; a worker's registry carries none (metrics-merge.ts takes the primary's). */
const NO_RELOADS: ReloadStatus = { lastAttempt: null, lastSuccess: null, lastError: null, successes: 0, failures: 0 };

class Worker {
  readonly #id = cluster.worker?.id ?? 0;
  readonly #memo = new CompileMemo();
  readonly #wire = new WireDecoder();
  /** This worker's share of each Service's limits: its position among the workers, set by the primary at fork. */
  readonly #share = new LimitShare(Number(process.env.EDGEWAY_WORKER_INDEX ?? 0), Number(process.env.EDGEWAY_WORKERS ?? 1));
  #plane: DataPlane | null = null;
  #registry: Registry | null = null;
  #log: ReturnType<typeof createWorkerLogger> | null = null;
  #prepared: Snapshot | null = null;
  /** The primary's TLS ticket keys: every worker serves the same pair, so a ticket from one resumes on any. */
  readonly #ticketKeys = new TicketKeyFollower();
  /** Messages are handled one at a time, in order: a commit never overtakes its prepare. */
  #queue: Promise<void> = Promise.resolve();

  receive = (message: ToWorker): void => {
    this.#queue = this.#queue.then(() => this.#handle(message)).catch((err: Error) => this.#fail(message, err));
  };

  async #handle(m: ToWorker): Promise<void> {
    switch (m.type) {
      case 'prepare': {
        const started = performance.now();
        const i = m.inputs;
        const { store, settings, state, clusters } = this.#wire.decode(i);
        const prepared = this.#share.apply(compileSnapshot(store, settings, i.generation, state, i.now, clusters, this.#memo));
        // Entrypoints that moved are bound now, serving the running snapshot until the commit, as one process binds
        // them before it swaps: an address that cannot be bound fails the prepare, and the reload, with nothing swapped.
        if (this.#plane !== null) await this.#plane.reconcile(prepared.settings);
        this.#prepared = prepared;
        return send({ type: 'prepared', generation: i.generation, compileMs: performance.now() - started });
      }
      case 'commit':
        return this.#commit(m.generation);
      case 'abort':
        if (this.#prepared?.generation === m.generation) this.#prepared = null;
        this.#wire.abort();
        return;
      case 'health':
        if (this.#plane !== null) applyVerdicts(this.#plane.upstream.states, m.verdicts);
        return;
      case 'ticket-keys':
        return this.#ticketKeys.receive(m.keys);
      case 'metrics':
        return send({ type: 'metrics', id: m.id, metrics: (await this.#registry?.getMetricsAsJSON()) ?? [] });
      case 'upstreams':
        return send({ type: 'upstreams', id: m.id, backends: this.#plane === null ? [] : statusOf(this.#plane) });
      case 'drain':
        await this.#plane?.close(m.drainMs);
        this.#log?.flush();
        process.disconnect();
        return;
    }
  }

  async #commit(generation: number): Promise<void> {
    const snapshot = this.#prepared;
    if (snapshot === null || snapshot.generation !== generation) throw new Error(`generation ${generation} was not prepared`);
    this.#prepared = null;
    this.#wire.commit();
    const settings = snapshot.settings;
    let plane = this.#plane;
    if (plane === null) {
      this.#log = createWorkerLogger(settings.logging.level, this.#id, (text) => send({ type: 'log', text }));
      const fallback = settings.https === null ? null : (await loadDefaultCertificate({ dir: settings.tls.certificatesDir })).material;
      plane = new DataPlane(snapshot, this.#log.logger, fallback);
      // The primary probes; this worker takes its verdicts (health-verdicts.ts).
      plane.upstream.checker.remote();
      // Before listening: the HTTPS listeners start with the primary's keys and never rotate their own.
      this.#ticketKeys.attach(plane.listeners);
      this.#plane = plane;
      this.#registry = metricsOf(plane).registry;
      await plane.listen(settings);
    } else {
      plane.apply(snapshot);
      plane.logger.level = settings.logging.level;
    }
    applyHeapGrowth(settings.runtime.heapGrowthPercent);
    const logger = plane.logger;
    const bound = await bindServiceListeners(plane.listeners.services, snapshot, (line) => logger.warn(line));
    const addresses = plane.addresses.map((a) => ({ name: a.name, host: a.host, port: a.port }));
    send({ type: 'committed', generation, addresses, listenerFailures: bound.listenerFailures });
  }

  #fail(m: ToWorker, err: Error): void {
    const generation = m.type === 'prepare' ? m.inputs.generation : m.type === 'commit' ? m.generation : 0;
    if (m.type === 'prepare') this.#wire.abort();
    send({ type: 'failed', generation, message: err.message });
  }
}

function metricsOf(plane: DataPlane): EdgewayMetrics {
  return new EdgewayMetrics({
    routeCells: plane.routeCells,
    bound: () => plane.current,
    pools: () => plane.upstreams.stats(),
    reload: () => NO_RELOADS,
    resilience: () => ({ retries: plane.retryCounters.retries, budgetExhausted: plane.retryCounters.budgetExhausted, tunnels: plane.tunnels }),
    rejections: () => plane.rejections,
    // Ejection and panic are this worker's own; the primary merges them across workers (metrics-merge.ts).
    upstreams: () => statusOf(plane),
  });
}

function statusOf(plane: DataPlane): BackendStatus[] {
  return upstreamStatus(plane.current, plane.upstream.checker);
}

function send(message: FromWorker): void {
  process.send?.(message);
}

const worker = new Worker();
process.on('message', (m) => worker.receive(m as ToWorker));
// The primary owns the signals: a worker drains when told, so a terminal's Ctrl-C (sent to the whole process group)
// does not cut it short.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
// Without the primary there is no one to answer to: a worker never outlives it.
process.on('disconnect', () => process.exit(0));
