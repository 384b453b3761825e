/**
 * Asks etcd once a second whether it answers, and tells a SharedStateHealth. The probe is a linearizable read of the
 * single key `<prefix>/` (keys only, count only): it needs a leader and a quorum, as every write edgeway makes does,
 * so "reachable" means "writes can succeed", not merely "a member accepts connections". Its answer's header carries
 * etcd's current revision, which the health records.
 *
 * One probe at a time: the next is scheduled when the previous has answered or timed out, so a slow etcd is never
 * piled up on. The timer is unref'd, so a forgotten probe never keeps the process alive; close() stops it.
 */
import type { Etcd3 } from 'etcd3';
import type { SharedStateHealth } from './shared-state-health.ts';

export interface LivenessOptions {
  /** Time between the end of one probe and the start of the next. */
  readonly intervalMs?: number;
  /** Deadline of one probe; past it etcd counts as unreachable. */
  readonly timeoutMs?: number;
}

export const LIVENESS_INTERVAL_MS = 1000;
export const LIVENESS_TIMEOUT_MS = 1000;

export class EtcdLiveness {
  readonly #client: Etcd3;
  readonly #health: SharedStateHealth;
  readonly #key: Buffer;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  #probing: Promise<void> | null = null;

  /** Starts probing at once. */
  constructor(client: Etcd3, health: SharedStateHealth, prefix: string, options: LivenessOptions = {}) {
    this.#client = client;
    this.#health = health;
    this.#key = Buffer.from(prefix.endsWith('/') ? prefix : `${prefix}/`);
    this.#intervalMs = options.intervalMs ?? LIVENESS_INTERVAL_MS;
    this.#timeoutMs = options.timeoutMs ?? LIVENESS_TIMEOUT_MS;
    this.#probe();
  }

  /** Stops probing; resolves once a probe under way has finished. The client is the caller's to close. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#probing;
  }

  #probe(): void {
    this.#timer = null;
    this.#probing = this.#client.kv
      .range({ key: this.#key, keys_only: true, count_only: true }, { deadline: Date.now() + this.#timeoutMs })
      .then(
        (answer) => {
          if (!this.#closed) this.#health.markUp(Number(answer.header.revision));
        },
        (err: unknown) => {
          if (!this.#closed) this.#health.markDown(err);
        },
      )
      .finally(() => {
        this.#probing = null;
        if (this.#closed) return;
        this.#timer = setTimeout(() => this.#probe(), this.#intervalMs);
        this.#timer.unref();
      });
  }
}
