/**
 * What a replica holds while etcd is on: one client (shared by whatever reads and writes there), the health of the
 * shared state, and the probe that keeps that health current. Made at start from spec.etcd (or the flags) and closed
 * with the process; with etcd off there is none, and nothing here runs.
 *
 * Transitions are logged once each (warn when etcd stops answering, info when it answers again), not once per probe.
 */
import type { Etcd3 } from 'etcd3';
import type { EtcdSettings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import { openEtcd } from './etcd-client.ts';
import { EtcdLiveness } from './etcd-liveness.ts';
import { SharedStateHealth } from './shared-state-health.ts';

export class SharedState {
  readonly client: Etcd3;
  readonly health: SharedStateHealth;
  readonly #liveness: EtcdLiveness;

  /** Opens the client (EW_ETCD_TLS_UNREADABLE when a TLS file cannot be read) and starts probing. */
  constructor(settings: EtcdSettings, logger: Logger) {
    this.client = openEtcd(settings);
    this.health = new SharedStateHealth(settings);
    this.health.onChange((v) => {
      if (v.reachable === true) logger.info({ servers: v.servers, revision: v.revision }, 'etcd reachable');
      else logger.warn({ servers: v.servers, revision: v.revision, error: v.lastError?.message }, 'etcd unreachable; serving the last good configuration');
    });
    this.#liveness = new EtcdLiveness(this.client, this.health, settings.prefix);
  }

  /** Stops probing and closes the client. */
  async close(): Promise<void> {
    await this.#liveness.close();
    this.client.close();
  }
}
