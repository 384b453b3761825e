/**
 * The TLS session ticket keys of a process: a ring of two, the current key (encrypts new tickets, decrypts) and the
 * previous one (still decrypts, so a ticket issued just before a rotation resumes after it). A rotation makes the
 * current key previous and drops the older one, so a ticket lives at most two rotation periods.
 *
 * Node holds one ticket key per secure context, so the HTTPS listener keeps one TLS server per key of the ring and
 * hands each connection to the one whose key named the ticket it presents (secure-listener.ts, client-hello.ts).
 *
 * Keys are 48 bytes in Node's format: a 16-byte name, which starts every ticket, then the HMAC and AES secrets. By
 * default the ring makes its own at random. Processes serving the same listeners (workers) must accept each other's
 * tickets: one process (the primary) makes the keys, rotates, and gives every process the same pair through
 * `install`; a process whose keys come from outside never rotates on its own.
 */
import { randomBytes } from 'node:crypto';

export const TICKET_KEY_BYTES = 48;
const NAME_BYTES = 16;
/** How often the keys of a process that makes its own rotate. */
export const TICKET_ROTATION_MS = 60 * 60 * 1000;

export interface TicketKeyPair {
  readonly current: Buffer;
  readonly previous: Buffer;
}

export function newTicketKey(): Buffer {
  return randomBytes(TICKET_KEY_BYTES);
}

export class TicketKeyRing {
  #current: Buffer;
  #previous: Buffer;
  readonly #listeners = new Set<(keys: TicketKeyPair) => void>();
  #timer: NodeJS.Timeout | null = null;

  /** @param keys the starting pair; two fresh random keys by default. */
  constructor(keys: TicketKeyPair = { current: newTicketKey(), previous: newTicketKey() }) {
    checkKey(keys.current);
    checkKey(keys.previous);
    this.#current = keys.current;
    this.#previous = keys.previous;
  }

  get keys(): TicketKeyPair {
    return { current: this.#current, previous: this.#previous };
  }

  /** The current key becomes previous, `next` (a fresh random key by default) current. */
  rotate(next: Buffer = newTicketKey()): void {
    this.install({ current: next, previous: this.#current });
  }

  /** Rotates every `periodMs` until stopRotating (a second call changes nothing); the timer never holds the process. */
  startRotating(periodMs: number = TICKET_ROTATION_MS): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => this.rotate(), periodMs);
    this.#timer.unref();
  }

  stopRotating(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Takes keys made elsewhere (the primary's, for a worker). */
  install(keys: TicketKeyPair): void {
    checkKey(keys.current);
    checkKey(keys.previous);
    this.#current = keys.current;
    this.#previous = keys.previous;
    for (const listener of this.#listeners) listener(this.keys);
  }

  /** Called with the new pair after every rotation or install; returns the unsubscribe. */
  onChange(listener: (keys: TicketKeyPair) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Which key of the ring a ticket starting with `name` was issued under; null when neither (a full handshake). */
  keyNamed(name: Buffer): 'current' | 'previous' | null {
    if (name.length !== NAME_BYTES) return null;
    if (name.equals(this.#current.subarray(0, NAME_BYTES))) return 'current';
    if (name.equals(this.#previous.subarray(0, NAME_BYTES))) return 'previous';
    return null;
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== TICKET_KEY_BYTES) throw new Error(`a TLS ticket key is ${TICKET_KEY_BYTES} bytes, not ${key.length}`);
}
