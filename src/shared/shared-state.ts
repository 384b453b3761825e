/**
 * What a replica holds while etcd is on: one client (shared by whatever reads and writes there), the health of the
 * shared state, the probe that keeps that health current, and the replica's shared objects and allocation claims
 * (replica-state.ts). Opened at start from spec.etcd (or the flags) and closed with the process; with etcd off there
 * is none, and nothing here runs.
 *
 * Transitions are logged once each (warn when etcd stops answering, info when it answers again), not once per probe.
 */
import type { Etcd3 } from 'etcd3';
import { API_HOLDER } from '../allocation/shared-allocation.ts';
import { EdgewayError } from '../edgeway-error.ts';
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import { closeEtcd, openEtcd } from './etcd-client.ts';
import { EtcdLiveness } from './etcd-liveness.ts';
import { ReplicaState } from './replica-state.ts';
import { SharedStateHealth } from './shared-state-health.ts';

export class SharedState {
  readonly client: Etcd3;
  readonly health: SharedStateHealth;
  readonly replica: ReplicaState;
  readonly #liveness: EtcdLiveness;

  private constructor(client: Etcd3, health: SharedStateHealth, replica: ReplicaState, liveness: EtcdLiveness) {
    this.client = client;
    this.health = health;
    this.replica = replica;
    this.#liveness = liveness;
  }

  /**
   * Opens the client (EW_ETCD_TLS_UNREADABLE when a TLS file cannot be read), reads the shared objects and claims
   * (EW_SHARED_STATE_UNREACHABLE when etcd does not answer: a replica needs it to start) and starts probing.
   */
  static async open(settings: Settings, logger: Logger): Promise<SharedState> {
    const etcd = settings.etcd!;
    if (settings.replicaName === API_HOLDER) {
      throw new EdgewayError(
        'EW_SETTINGS_INVALID',
        `the replica name (--replica-name or spec.replicaName) cannot be "${API_HOLDER}": the shared allocations use that name for Services written through the API`,
      );
    }
    const client = openEtcd(etcd);
    const health = new SharedStateHealth(etcd);
    let replica: ReplicaState;
    try {
      replica = await ReplicaState.open({
        client,
        prefix: etcd.prefix,
        replica: settings.replicaName,
        // What the watch and the writes notice is news as good as the probe's.
        reachability: (reachable, error) => (reachable ? health.markUp() : health.markDown(error ?? new Error('etcd did not answer'))),
      });
    } catch (error) {
      await closeEtcd(client);
      throw error;
    }
    health.markUp(replica.layer.revision);
    health.onChange((v) => {
      if (v.reachable === true) logger.info({ servers: v.servers, revision: v.revision }, 'etcd reachable');
      else logger.warn({ servers: v.servers, revision: v.revision, error: v.lastError?.message }, 'etcd unreachable; serving the last good configuration');
    });
    return new SharedState(client, health, replica, new EtcdLiveness(client, health, etcd.prefix));
  }

  /** Stops the watch and the probe, then closes the client. */
  async close(): Promise<void> {
    await this.replica.close();
    await this.#liveness.close();
    await closeEtcd(this.client);
  }
}
