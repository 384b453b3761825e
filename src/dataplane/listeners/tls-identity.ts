/**
 * The data plane's TLS identity: the generated default certificate, the session keys every secure context shares,
 * the rotating ticket keys of the listeners (ticket-keys.ts), the SNI callback, and every HTTPS listener made with
 * them (the HTTPS entrypoint and entrypoint Services' HTTPS ports). It is kept apart from the listeners' sockets
 * because binding a snapshot needs it too (the SNI table's contexts are made with these options), and a reload must
 * re-point each server's default identity without rebinding anything.
 *
 * The SNI callback reads the current bound snapshot's table on every handshake, so a reload's certificates apply to
 * the next handshake while open connections keep theirs.
 */
import type { SecureContext } from 'node:tls';
import type { Settings } from '../../config/settings.ts';
import type { Snapshot } from '../../snapshot/snapshot.ts';
import type { TlsMaterial } from '../../tls/tls-material.ts';
import type { BoundSnapshot, TlsBinding } from '../bound-snapshot.ts';
import type { EntrypointRuntime } from '../request/http-entrypoint.ts';
import { contextOptions, tlsServerOptions } from './https-options.ts';
import { TicketKeyRing, type TicketKeyPair } from '../../tls/ticket-keys.ts';
import { createSecureListener, destroySecureListener, followTicketKeys, setDefaultIdentity, type SecureListener } from './secure-listener.ts';
import type { HttpsServers, SecureServerHandle } from './service-listeners.ts';

export class TlsIdentity implements HttpsServers {
  /** The current bound snapshot (its SNI table), the logger and the rejection counters. */
  readonly #runtime: EntrypointRuntime;
  /** The generated default certificate; null when there is no HTTPS entrypoint (no secure contexts are made). */
  readonly #fallbackCertificate: TlsMaterial | null;
  /**
   * The session ticket keys of every HTTPS listener made here. They rotate every hour on their own, unless they come
   * from outside (`useTicketKeys`: a worker gets its primary's pair, so every worker accepts every other's tickets).
   */
  readonly ticketKeys = new TicketKeyRing();
  #keysFromOutside = false;
  /** Every HTTPS server made here: their default identity follows reloads. */
  readonly #servers = new Set<SecureListener>();

  /** @param fallbackCertificate the generated default certificate; give it exactly when HTTPS is on. */
  constructor(runtime: EntrypointRuntime, fallbackCertificate: TlsMaterial | null) {
    this.#runtime = runtime;
    this.#fallbackCertificate = fallbackCertificate;
    this.ticketKeys.onChange((keys) => {
      for (const secure of this.#servers) followTicketKeys(secure, keys);
    });
  }

  /**
   * Serve with `keys` from now on (and on every later call) instead of keys made and rotated here: the primary
   * rotates, then sends every worker the new pair.
   */
  useTicketKeys(keys: TicketKeyPair): void {
    this.#keysFromOutside = true;
    this.stopRotating();
    this.ticketKeys.install(keys);
  }

  /** Stops this process's own rotation; called when the listeners close. */
  stopRotating(): void {
    this.ticketKeys.stopRotating();
  }

  /** Whether HTTPS can be served at all (a default certificate was given). */
  get enabled(): boolean {
    return this.#fallbackCertificate !== null;
  }

  /** What binding `snapshot` needs to make its SNI table; null when HTTPS is off. */
  binding(snapshot: Snapshot, previous: BoundSnapshot | null): TlsBinding | null {
    if (this.#fallbackCertificate === null) return null;
    return {
      fallbackCertificate: this.#fallbackCertificate,
      contextOptions: contextOptions(snapshot.settings),
      previous: previous?.sni ?? null,
    };
  }

  /** Clients without SNI get the listener's own context; replace it when the default certificate changed. */
  refresh(bound: BoundSnapshot): void {
    const entry = bound.sni?.defaultEntry;
    if (entry === undefined) return;
    for (const secure of this.#servers) {
      if (entry.material.fingerprint === secure.fingerprint) continue;
      setDefaultIdentity(secure, {
        ...contextOptions(bound.snapshot.settings),
        cert: entry.material.certPem,
        key: entry.material.keyPem,
      });
      secure.fingerprint = entry.material.fingerprint;
    }
  }

  /** Reads the current table on every handshake: a reload's certificates apply to the next one. */
  readonly sniCallback = (servername: string, callback: (err: Error | null, context?: SecureContext) => void): void => {
    const sni = this.#runtime.current.sni;
    if (sni === null) callback(new Error('no SNI table'));
    else callback(null, sni.select(servername).context);
  };

  /**
   * An HTTPS server set up as the HTTPS entrypoint is (SNI from the current table, HTTP/2 and HTTP/1.1, timeouts),
   * not yet listening: entrypoint Services' HTTPS ports use it. Null when edgeway has no certificates (HTTPS off).
   */
  httpsServer(settings: Settings): SecureServerHandle | null {
    if (this.#runtime.current.sni?.defaultEntry === undefined) return null;
    const secure = this.secureServer(settings);
    return {
      secure,
      destroyAll: () => destroySecureListener(secure),
      forget: () => void this.#servers.delete(secure),
    };
  }

  /** A new HTTPS listener, not yet listening, whose default identity follows reloads from now on. */
  secureServer(settings: Settings): SecureListener {
    const defaultEntry = this.#runtime.current.sni?.defaultEntry;
    if (defaultEntry === undefined) throw new Error('HTTPS needs a default certificate');
    const options = tlsServerOptions(settings, defaultEntry.material, this.sniCallback);
    const secure = createSecureListener(settings, options, this.ticketKeys, defaultEntry.material.fingerprint, this.#runtime.logger, this.#runtime.rejections);
    this.#servers.add(secure);
    if (!this.#keysFromOutside) this.ticketKeys.startRotating();
    return secure;
  }
}
