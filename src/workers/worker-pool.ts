/**
 * The primary's side of the data-plane workers (node:cluster). The primary forks them, sends each generation in two
 * phases (every worker prepares — compiles — before any commits, so a generation one worker cannot compile is
 * rejected with nothing changed), resolves only when every worker has committed (so status reports a generation
 * that all of them serve), restarts a worker that dies with the current generation (backoff from 100 ms doubling to
 * 5 s; the others keep serving), merges their metrics into one scrape and their ejection and load into
 * `/debug/upstreams`, and writes their log batches whole. It owns
 * the TLS session ticket keys every worker serves and rotates them (ticket-key-share.ts).
 *
 * node:cluster rather than reusePort: the primary holds each listening socket and hands accepted connections to the
 * workers round-robin, which spreads long-lived keep-alive connections evenly; SO_REUSEPORT hashes each connection's
 * 4-tuple to a socket, so with few clients (a load balancer's handful of keep-alive connections) workers end up
 * uneven, and Service listeners added on reload would have to be bound in every worker separately.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Registry } from 'prom-client';
import type { EndpointStates } from '../dataplane/health/endpoint-states.ts';
import type { BackendStatus } from '../dataplane/upstream/upstream-status.ts';
import type { Logger } from '../log.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { verdictsOf, watchVerdicts } from './health-verdicts.ts';
import { writeWorkerLines } from './ipc-log.ts';
import { WireEncoder } from './generation-wire.ts';
import { mergeMetrics } from './metrics-merge.ts';
import { mergeUpstreams, type MergedBackendStatus } from './upstreams-merge.ts';
import { WorkerQueries } from './worker-queries.ts';
import { TicketKeyShare } from './ticket-key-share.ts';
import type { GenerationInputs } from './generation-inputs.ts';
import type { FromWorker, ToWorker, WorkerAddress } from './worker-protocol.ts';

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;
/** A worker that served this long before dying restarts after the first backoff again. */
const STABLE_MS = 10_000;
const QUERY_TIMEOUT_MS = 2000;

interface Waiter {
  readonly expect: 'prepared' | 'committed';
  readonly generation: number;
  resolve(m: FromWorker): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  generation: number;
  startedAt: number;
  failures: number;
  readonly waiters: Set<Waiter>;
}

export interface WorkerStatus {
  readonly id: number;
  readonly pid: number | undefined;
  readonly generation: number;
}

export class WorkerPool {
  readonly #count: number;
  readonly #logger: Logger;
  /** Slots by position (0..count-1); a restarted worker takes its predecessor's slot. */
  readonly #slots: Slot[] = [];
  /** The admin listener's questions to the workers: a worker that does not answer in time is left out. */
  readonly #queries = new WorkerQueries(QUERY_TIMEOUT_MS);
  #current: GenerationInputs | null = null;
  #addresses: readonly WorkerAddress[] = [];
  #listenerFailures: Snapshot['listenerFailures'] = new Map();
  #closing = false;
  readonly #wire = new WireEncoder();
  readonly #states: EndpointStates;
  readonly #stopVerdicts: () => void;
  /** Sent to each worker at fork and to every live worker at each rotation (hourly). */
  readonly #ticketKeys: TicketKeyShare;
  /** Applies and restarts run one at a time, so a restarted worker never misses a generation. */
  #serial: Promise<unknown> = Promise.resolve();

  /** @param states the primary's endpoint states, where its health checks put their verdicts. */
  constructor(count: number, logger: Logger, states: EndpointStates) {
    this.#count = count;
    this.#logger = logger;
    this.#states = states;
    this.#stopVerdicts = watchVerdicts(states, (verdicts) => {
      for (const s of this.#slots) if (s.generation > 0) this.#send(s, { type: 'health', verdicts });
    });
    this.#ticketKeys = new TicketKeyShare((keys) => {
      for (const s of this.#slots) this.#send(s, { type: 'ticket-keys', keys });
    });
    this.#ticketKeys.start();
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    cluster.setupPrimary({ exec: new URL(`./worker-main${ext}`, import.meta.url).pathname, serialization: 'advanced' });
  }

  /** The entrypoints as the workers bound them (the same in every worker: the primary holds the sockets). */
  get addresses(): readonly WorkerAddress[] {
    return this.#addresses;
  }

  /** The Service listeners the workers could not bind in the current generation (the same in all: one socket each). */
  get listenerFailures(): Snapshot['listenerFailures'] {
    return this.#listenerFailures;
  }

  get status(): readonly WorkerStatus[] {
    return this.#slots.map((s) => ({ id: s.worker.id, pid: s.worker.process.pid, generation: s.generation }));
  }

  /** Serves `inputs` in every worker (forking them the first time); rejects with nothing changed if one cannot prepare. */
  apply(inputs: GenerationInputs): Promise<void> {
    const run = this.#serial.then(() => this.#apply(inputs));
    this.#serial = run.catch(() => undefined);
    return run;
  }

  async #apply(inputs: GenerationInputs): Promise<void> {
    while (this.#slots.length < this.#count) this.#slots.push(this.#fork(this.#slots.length));
    // A worker waiting out its restart backoff is left out: its restart (queued behind this) brings it to #current.
    const slots = this.#slots.filter((s) => s.worker.isConnected());
    // One encoding for all: every worker holds the same committed base (a restarted one is brought to it in full).
    const { wire, full, base } = this.#wire.encode(inputs);
    const prepared = await Promise.allSettled(
      slots.map((s) => this.#ask(s, { type: 'prepare', inputs: s.generation === 0 ? full : wire }, 'prepared', inputs.generation)),
    );
    const failed = prepared.find((p) => p.status === 'rejected');
    if (failed !== undefined) {
      for (const s of slots) this.#send(s, { type: 'abort', generation: inputs.generation });
      throw new Error(`a worker cannot serve generation ${inputs.generation}: ${(failed.reason as Error).message}`);
    }
    // Past this point the generation is the current one: a worker that dies or fails while committing is restarted
    // into it (below, and #watch), so every worker serves it or is on its way to.
    const starting = this.#current === null;
    const committed = await Promise.allSettled(
      slots.map((s) => this.#ask(s, { type: 'commit', generation: inputs.generation }, 'committed', inputs.generation)),
    );
    // At start there is nothing to fall back to: an entrypoint that cannot be bound fails the start, as in one process.
    const refused = committed.find((c) => c.status === 'rejected');
    if (starting && refused !== undefined) throw new Error(`a worker cannot serve: ${(refused.reason as Error).message}`);
    this.#wire.commit(base);
    this.#current = inputs;
    // The verdicts go with each generation: endpoints it adds were probed by the primary already.
    const verdicts = verdictsOf(this.#states);
    for (const [i, s] of slots.entries()) {
      const c = committed[i];
      if (c?.status === 'fulfilled') {
        s.generation = inputs.generation;
        this.#send(s, { type: 'health', verdicts });
        if (c.value.type === 'committed') {
          this.#addresses = c.value.addresses;
          this.#listenerFailures = c.value.listenerFailures;
        }
      } else {
        this.#logger.error({ worker: s.worker.id, err: c?.reason }, 'a worker failed to commit; restarting it');
        s.worker.process.kill('SIGKILL');
      }
    }
  }

  #fork(position: number): Slot {
    const worker = this.#forkAt(position);
    const slot: Slot = { worker, generation: 0, startedAt: Date.now(), failures: 0, waiters: new Set() };
    this.#watch(slot, position);
    return slot;
  }

  /** A worker in slot `position`: its place decides its share of the Services' limits (limit-share.ts). */
  #forkAt(position: number): Worker {
    const worker = cluster.fork({ EDGEWAY_WORKER_INDEX: String(position), EDGEWAY_WORKERS: String(this.#count) });
    // First of all its messages, so its HTTPS listeners never serve keys of their own (a restarted worker included).
    worker.send({ type: 'ticket-keys', keys: this.#ticketKeys.keys } satisfies ToWorker);
    return worker;
  }

  #watch(slot: Slot, position: number): void {
    const worker = slot.worker;
    worker.on('message', (m: FromWorker) => this.#receive(slot, m));
    worker.on('exit', (code, signal) => {
      for (const w of slot.waiters) w.reject(new Error(`worker ${worker.id} exited (${signal ?? code})`));
      slot.waiters.clear();
      if (this.#closing) return;
      const stable = Date.now() - slot.startedAt >= STABLE_MS;
      slot.failures = stable ? 0 : slot.failures + 1;
      const delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, slot.failures - 1));
      this.#logger.warn({ worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker exited; restarting it');
      setTimeout(() => {
        if (this.#closing) return;
        const run = this.#serial.then(() => this.#restart(slot, position));
        this.#serial = run.catch((err: Error) => this.#logger.error({ err }, 'a worker cannot be restarted'));
      }, delay).unref();
    });
  }

  async #restart(slot: Slot, position: number): Promise<void> {
    if (this.#closing) return;
    slot.worker = this.#forkAt(position);
    slot.startedAt = Date.now();
    slot.generation = 0;
    this.#watch(slot, position);
    const inputs = this.#current;
    if (inputs === null) return;
    // In full, with the numbers of the committed base, so the next reload's delta applies to this worker too.
    await this.#ask(slot, { type: 'prepare', inputs: this.#wire.encode(inputs).full }, 'prepared', inputs.generation);
    await this.#ask(slot, { type: 'commit', generation: inputs.generation }, 'committed', inputs.generation);
    slot.generation = inputs.generation;
    this.#send(slot, { type: 'health', verdicts: verdictsOf(this.#states) });
    this.#logger.info({ worker: slot.worker.id, pid: slot.worker.process.pid, generation: inputs.generation }, 'worker restarted');
  }

  #receive(slot: Slot, m: FromWorker): void {
    switch (m.type) {
      case 'log':
        return writeWorkerLines(this.#logger, m.text);
      case 'metrics':
        return this.#queries.answered(m.id, m.metrics);
      case 'upstreams':
        return this.#queries.answered(m.id, m.backends);
      case 'prepared':
      case 'committed':
      case 'failed':
        for (const w of slot.waiters) {
          if (w.generation !== m.generation) continue;
          if (m.type === 'failed') w.reject(new Error(m.message));
          else if (m.type === w.expect) w.resolve(m);
          else continue;
          slot.waiters.delete(w);
        }
    }
  }

  #ask(slot: Slot, message: ToWorker, expect: Waiter['expect'], generation: number): Promise<FromWorker> {
    // A worker waiting out its restart backoff would never answer: its restart brings it to the current generation.
    if (!slot.worker.isConnected()) return Promise.reject(new Error(`worker ${slot.worker.id} is restarting`));
    return new Promise((resolve, reject) => {
      slot.waiters.add({ expect, generation, resolve, reject });
      this.#send(slot, message);
    });
  }

  #send(slot: Slot, message: ToWorker): void {
    if (slot.worker.isConnected()) slot.worker.send(message);
  }

  /** One scrape: the primary's own registry merged with every live worker's (metrics-merge.ts). */
  async metrics(primary: Registry): Promise<{ contentType: string; body: string }> {
    const answers = await this.#queries.ask(this.#serving(), (id) => ({ type: 'metrics', id }));
    const registries = answers.map((a) => a.answer);
    return mergeMetrics(primary, registries);
  }

  /** `/debug/upstreams`: the primary's view (`own`: endpoints, active health) with every live worker's (upstreams-merge.ts). */
  async upstreams(own: readonly BackendStatus[]): Promise<MergedBackendStatus[]> {
    const answers = await this.#queries.ask(this.#serving(), (id) => ({ type: 'upstreams', id }));
    const views = answers.map((a) => ({ worker: a.worker, backends: a.answer as readonly BackendStatus[] }));
    return mergeUpstreams(own, views);
  }

  /** The workers serving a generation now (one waiting out its restart backoff has nothing to say). */
  #serving(): Worker[] {
    return this.#slots.filter((s) => s.worker.isConnected() && s.generation > 0).map((s) => s.worker);
  }

  /** Every worker closes its listeners and waits up to `drainMs` for in-flight requests; resolves when all have exited. */
  async close(drainMs: number): Promise<void> {
    this.#closing = true;
    this.#stopVerdicts();
    this.#ticketKeys.stop();
    await Promise.all(
      this.#slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            const w = s.worker;
            if (w.isDead()) return resolve();
            w.once('exit', () => resolve());
            if (!w.isConnected()) return;
            w.send({ type: 'drain', drainMs } satisfies ToWorker);
            // A worker that does not finish its drain in time is stopped.
            setTimeout(() => w.process.kill('SIGKILL'), drainMs + 5000).unref();
          }),
      ),
    );
  }
}
