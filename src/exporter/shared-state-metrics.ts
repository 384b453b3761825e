/**
 * Which replica this is and whether it reaches the state it shares with the others: `edgeway_replica_info{replica}`
 * always (so dashboards over several replicas can join on it), and `edgeway_shared_state_up` and
 * `edgeway_shared_state_revision` only when etcd is on — read from the SharedStateHealth at scrape time, like every
 * other gauge here. Kept apart from edgeway-metrics.ts, which registers them, to keep that file about the data plane.
 */
import { Gauge, type Registry } from 'prom-client';
import type { SharedStateHealth } from '../shared/shared-state-health.ts';

export interface SharedStateSources {
  /** The replica name (spec.replicaName, --replica-name, or the host name). */
  replica(): string;
  /** The shared state's health; null when etcd is off. */
  shared(): SharedStateHealth | null;
}

export function registerSharedStateMetrics(registry: Registry, sources: SharedStateSources): void {
  const registers = [registry];
  new Gauge({
    name: 'edgeway_replica_info',
    help: 'Always 1; the replica label names this edgeway replica (spec.replicaName or --replica-name, by default the host name).',
    labelNames: ['replica'],
    registers,
    collect() {
      this.reset();
      this.set({ replica: sources.replica() }, 1);
    },
  });
  new Gauge({
    name: 'edgeway_shared_state_up',
    help: '1 while etcd answers the liveness probe (a quorum read), 0 while it does not; absent when etcd is off. Serving goes on either way.',
    registers,
    collect() {
      const health = sources.shared();
      // Absent rather than 0 when etcd is off: nothing is down that was never asked for.
      if (health === null) this.remove({});
      else this.set(health.reachable === true ? 1 : 0);
    },
  });
  new Gauge({
    name: 'edgeway_shared_state_revision',
    help: 'The highest etcd revision this replica has seen (kept while etcd is unreachable); absent when etcd is off.',
    registers,
    collect() {
      const health = sources.shared();
      if (health === null) this.remove({});
      else this.set(health.revision);
    },
  });
}
