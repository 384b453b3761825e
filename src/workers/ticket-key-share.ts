/**
 * TLS session ticket keys shared by every worker. With node:cluster a reconnecting client lands on whichever worker
 * is next, so a ticket issued by one worker must open on all of them: the primary owns the one key ring (ticket-keys.ts),
 * rotates it every hour and sends the current pair to every worker — at fork, at each rotation, and to a worker that
 * is restarted (its fork is a fork like any other). A worker installs each pair it receives into its listeners
 * (`ListenerSet.useTicketKeys`) and so never rotates on its own.
 *
 * Both sides live here, as in health-verdicts.ts: `TicketKeyShare` is the primary's, `TicketKeyFollower` a worker's.
 */
import { TICKET_ROTATION_MS, TicketKeyRing, type TicketKeyPair } from '../tls/ticket-keys.ts';

/** The primary's ring: `send` gets the new pair after every rotation, to pass on to every live worker. */
export class TicketKeyShare {
  readonly #ring: TicketKeyRing;

  /** @param ring the keys to start from; two fresh random keys by default. */
  constructor(send: (keys: TicketKeyPair) => void, ring: TicketKeyRing = new TicketKeyRing()) {
    this.#ring = ring;
    ring.onChange(send);
  }

  /** The pair every worker serves now: what a newly forked worker is sent first. */
  get keys(): TicketKeyPair {
    return this.#ring.keys;
  }

  /** Rotates every `periodMs` until `stop`; the timer never keeps the process alive. */
  start(periodMs: number = TICKET_ROTATION_MS): void {
    this.#ring.startRotating(periodMs);
  }

  /** A fresh current key (`next`, random by default); the old current stays valid as the previous one. */
  rotate(next?: Buffer): void {
    this.#ring.rotate(next);
  }

  stop(): void {
    this.#ring.stopRotating();
  }
}

/** What takes the keys in a worker: its ListenerSet. */
export interface TicketKeyTarget {
  useTicketKeys(keys: TicketKeyPair): void;
}

/**
 * A worker's side. The first pair arrives right after the fork, before the worker has a data plane to give it to, so
 * the last pair received is kept and installed when the listeners exist (`attach`, before they listen), then every
 * later pair at once.
 */
export class TicketKeyFollower {
  #keys: TicketKeyPair | null = null;
  #target: TicketKeyTarget | null = null;

  receive(keys: TicketKeyPair): void {
    this.#keys = keys;
    this.#target?.useTicketKeys(keys);
  }

  attach(target: TicketKeyTarget): void {
    this.#target = target;
    if (this.#keys !== null) target.useTicketKeys(this.#keys);
  }
}
