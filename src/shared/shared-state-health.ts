/**
 * Whether this replica reaches the state it shares with the others in etcd, as status, metrics and the
 * edgeway.io/SharedStateReachable condition show it. Something that talks to etcd (the liveness probe, and any
 * store call that succeeds or fails) reports here; readers get the current picture and listeners hear only
 * transitions, so a flapping etcd is not logged once per probe.
 *
 * Unreachable shared state is not a readiness failure: the replica keeps serving its last good snapshot, so /readyz
 * stays 200 while this says unreachable.
 */
import type { EtcdSettings } from '../config/settings.ts';

export interface SharedStateView {
  readonly servers: readonly string[];
  readonly prefix: string;
  /** Null until the first probe has answered either way. */
  readonly reachable: boolean | null;
  /** When `reachable` last changed (or the health was made, before any answer). */
  readonly since: Date;
  /** The last failure, kept after recovery so an operator can see what happened. */
  readonly lastError: { readonly at: Date; readonly message: string } | null;
  /** The highest etcd revision seen so far; 0 before any. */
  readonly revision: number;
}

export type SharedStateListener = (view: SharedStateView) => void;

export class SharedStateHealth {
  readonly #servers: readonly string[];
  readonly #prefix: string;
  #reachable: boolean | null = null;
  #since: Date;
  #lastError: { readonly at: Date; readonly message: string } | null = null;
  #revision = 0;
  readonly #listeners = new Set<SharedStateListener>();

  constructor(settings: Pick<EtcdSettings, 'servers' | 'prefix'>, now: Date = new Date()) {
    this.#servers = settings.servers;
    this.#prefix = settings.prefix;
    this.#since = now;
  }

  get reachable(): boolean | null {
    return this.#reachable;
  }

  get revision(): number {
    return this.#revision;
  }

  view(): SharedStateView {
    return {
      servers: this.#servers,
      prefix: this.#prefix,
      reachable: this.#reachable,
      since: this.#since,
      lastError: this.#lastError,
      revision: this.#revision,
    };
  }

  /** etcd answered; `revision` is the revision its answer carried (revisions only grow, so an older one is ignored). */
  markUp(revision?: number, now: Date = new Date()): void {
    if (revision !== undefined && revision > this.#revision) this.#revision = revision;
    this.#set(true, now);
  }

  /** A call to etcd failed for want of etcd (unreachable, timed out, no leader). */
  markDown(err: unknown, now: Date = new Date()): void {
    this.#lastError = { at: now, message: err instanceof Error ? err.message : String(err) };
    this.#set(false, now);
  }

  /** Calls `listener` on each change of reachability; returns a function that stops it. */
  onChange(listener: SharedStateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(reachable: boolean, now: Date): void {
    if (this.#reachable === reachable) return;
    this.#reachable = reachable;
    this.#since = now;
    const view = this.view();
    for (const listener of this.#listeners) listener(view);
  }
}
