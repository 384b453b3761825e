/**
 * Binds a snapshot's listeners on allocated Service addresses and records what could not be bound. This is the
 * data plane's half of allocation: the allocator decides the addresses (pure, in src/allocation/), the process
 * persists them, and this file puts sockets on them. Keeping it here leaves src/allocation/ without sockets.
 */
import type { Snapshot } from '../../snapshot/snapshot.ts';
import type { ServiceListeners } from './service-listeners.ts';

/**
 * Reconciles `listeners` to the snapshot's listener set; each listener that cannot be bound is reported as a line
 * and costs only its Service. Returns the snapshot with those failures recorded (a new object; the compiled one is
 * not changed), for status to show.
 */
export async function bindServiceListeners(
  listeners: ServiceListeners,
  snapshot: Snapshot,
  report: (line: string) => void = () => undefined,
): Promise<Snapshot> {
  const result = await listeners.reconcile(snapshot.addresses.listeners, snapshot.settings);
  for (const [service, failures] of result.failures) {
    for (const f of failures) report(`edgeway: Service ${service}: ${f.message} (EW_LISTENER_BIND_FAILED; the rest is served)`);
  }
  return result.failures.size === 0 ? snapshot : { ...snapshot, listenerFailures: result.failures };
}
