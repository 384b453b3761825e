/**
 * Runs reloads one at a time: load → validate → compile beside the running snapshot → swap. A trigger that arrives
 * while a reload runs is folded into one more reload after it (never two in parallel, never lost), so a burst of
 * SIGHUPs and file events costs at most one extra compile. Unreadable input rejects the reload whole and the
 * running snapshot keeps serving; the outcome and its diagnostics are kept for `GET /config/status` and metrics.
 * On shutdown `stop()` refuses new reloads and waits for the running one, so no swap can bind a listener after the
 * listeners were closed.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';

/** What started a reload, for logs and status. */
export type ReloadTrigger = 'file' | 'SIGHUP' | 'api' | 'objects' | 'shared';

export interface ReloadOutcome {
  readonly ok: boolean;
  readonly trigger: ReloadTrigger;
  /** The generation serving after this reload (unchanged when it failed). */
  readonly generation: number;
  /** Errors that rejected the reload, or everything the new snapshot reported. */
  readonly diagnostics: readonly Diagnostic[];
  /** Load + compile + swap, in milliseconds. */
  readonly durationMs: number;
  /** Set when the reload never ran because the reloader was stopped (shutdown); ok is then false. */
  readonly refused?: string;
}

export interface ReloadFailure {
  readonly at: Date;
  readonly trigger: ReloadTrigger;
  readonly message: string;
  readonly diagnostics: readonly Diagnostic[];
}

export interface ReloadStatus {
  readonly lastAttempt: Date | null;
  readonly lastSuccess: Date | null;
  /** The most recent failure; cleared by the next success. */
  readonly lastError: ReloadFailure | null;
  readonly successes: number;
  readonly failures: number;
}

/** Why there is no candidate: the reload is rejected whole. */
export interface Rejected {
  readonly rejected: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** A fully built generation: a snapshot, and whatever else the host swaps with it (store, token). */
export interface Built {
  readonly snapshot: Snapshot;
}

export interface ReloadSteps<B extends Built> {
  /** Reads and compiles the configuration as generation `generation`; never touches what is serving. */
  build(generation: number): Promise<B | Rejected>;
  /** Makes the candidate the serving one (data plane, listeners); rejects without changing anything. */
  swap(candidate: B): Promise<void>;
  current(): Snapshot;
}

export class Reloader<B extends Built> {
  readonly #steps: ReloadSteps<B>;
  #running: Promise<ReloadOutcome> | null = null;
  #queued: Promise<ReloadOutcome> | null = null;
  #stopped = false;
  #status: ReloadStatus = { lastAttempt: null, lastSuccess: null, lastError: null, successes: 0, failures: 0 };

  constructor(steps: ReloadSteps<B>) {
    this.#steps = steps;
  }

  get status(): ReloadStatus {
    return this.#status;
  }

  /** Resolves with the outcome of a reload that started after this call (so it sees every change made before it). */
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    if (this.#stopped) return Promise.resolve(this.#refused(trigger));
    if (this.#running === null) return this.#start(trigger);
    // One reload waits behind the running one and serves every trigger that arrives meanwhile.
    this.#queued ??= this.#running.then(() => {
      this.#queued = null;
      return this.#stopped ? this.#refused(trigger) : this.#start(trigger);
    });
    return this.#queued;
  }

  /**
   * No reload starts from now on (a queued one is refused); resolves once the running one, if any, has finished
   * its swap. A shutdown awaits this before closing listeners: a swap still binding Service listeners would
   * otherwise leave them open behind the close (a file event arriving as the process stops).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
    await this.#queued;
  }

  #refused(trigger: ReloadTrigger): ReloadOutcome {
    return { ok: false, trigger, generation: this.#steps.current().generation, diagnostics: [], durationMs: 0, refused: 'edgeway is shutting down' };
  }

  #start(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const run = this.#run(trigger).finally(() => {
      if (this.#running === run) this.#running = null;
    });
    this.#running = run;
    return run;
  }

  async #run(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const started = performance.now();
    const at = new Date();
    const generation = this.#steps.current().generation;
    let candidate: B | Rejected;
    try {
      candidate = await this.#steps.build(generation + 1);
      if ('snapshot' in candidate) await this.#steps.swap(candidate);
    } catch (err) {
      candidate = { rejected: `reload failed: ${(err as Error).message}`, diagnostics: [] };
    }
    const durationMs = performance.now() - started;
    const s = this.#status;
    if ('snapshot' in candidate) {
      this.#status = { ...s, lastAttempt: at, lastSuccess: new Date(), lastError: null, successes: s.successes + 1 };
      return { ok: true, trigger, generation: candidate.snapshot.generation, diagnostics: candidate.snapshot.diagnostics, durationMs };
    }
    const failure: ReloadFailure = { at, trigger, message: candidate.rejected, diagnostics: candidate.diagnostics };
    this.#status = { ...s, lastAttempt: at, lastError: failure, failures: s.failures + 1 };
    return { ok: false, trigger, generation, diagnostics: candidate.diagnostics, durationMs };
  }
}
