/**
 * Questions the primary asks every worker and the answers it waits for: the `/metrics` scrape and the
 * `/debug/upstreams` view both need what only the workers hold (their registries, their ejection and load state).
 * Each question carries an id the worker's answer echoes; a worker that does not answer in time (dying, stuck) is
 * left out of that answer rather than holding the admin request. Nothing here runs per request.
 */
import type { Worker } from 'node:cluster';
import type { ToWorker } from './worker-protocol.ts';

/** One worker's answer, by its cluster id (the id /config/status and the access lines show). */
export interface WorkerAnswer {
  readonly worker: number;
  readonly answer: unknown;
}

export class WorkerQueries {
  readonly #timeoutMs: number;
  readonly #waiting = new Map<number, (answer: unknown) => void>();
  #nextId = 1;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Sends `question(id)` to each worker and resolves with the answers that came in time, in the workers' order. */
  async ask(workers: readonly Worker[], question: (id: number) => ToWorker): Promise<WorkerAnswer[]> {
    const answers = await Promise.all(workers.map((w) => this.#one(w, question)));
    return answers.filter((a) => a !== null);
  }

  /** A worker's answer to question `id` (ignored when that question has timed out already). */
  answered(id: number, answer: unknown): void {
    this.#waiting.get(id)?.(answer);
  }

  #one(worker: Worker, question: (id: number) => ToWorker): Promise<WorkerAnswer | null> {
    return new Promise((resolve) => {
      const id = this.#nextId++;
      const done = (answer: WorkerAnswer | null): void => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve(answer);
      };
      const timer = setTimeout(() => done(null), this.#timeoutMs);
      this.#waiting.set(id, (answer) => done({ worker: worker.id, answer }));
      if (worker.isConnected()) worker.send(question(id));
    });
  }
}
