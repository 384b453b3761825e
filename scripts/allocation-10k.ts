/**
 * A quick check, not a timed test: allocate 10,000 Services (LoadBalancer IPs from the default pool, ClusterIPs,
 * and NodePorts for 2,000 of them), then run again on the recorded state as a restart would.
 *
 *   node scripts/allocation-10k.ts
 */
import { allocateAll } from '../src/allocation/allocate-services.ts';
import { buildPools } from '../src/allocation/address-pool.ts';
import { EMPTY_ALLOCATION_STATE } from '../src/allocation/allocation-state.ts';
import type { LoadedObject } from '../src/config/loaded-object.ts';
import type { Service } from '../src/k8s/types.ts';

const COUNT = 10_000;
const position = { file: 'bench.yaml', line: 1, column: 1 };
const services: LoadedObject<Service>[] = Array.from({ length: COUNT }, (_, i) => ({
  object: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}`, namespace: `ns-${i % 50}`, creationTimestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString() },
    spec: {
      type: 'LoadBalancer',
      // NodePorts for a fifth of them: the default range has 2,768 ports.
      allocateLoadBalancerNodePorts: i % 5 === 0,
      selector: { app: `svc-${i}` },
      ports: [{ port: 80, protocol: 'TCP' }],
    },
  },
  position,
  origin: { kind: 'file', ...position },
  locate: () => position,
}));
const pools = buildPools([]).pools;

let start = performance.now();
const first = allocateAll(services, pools, EMPTY_ALLOCATION_STATE);
const fresh = performance.now() - start;
start = performance.now();
const second = allocateAll(services, pools, first.state);
const again = performance.now() - start;

const pending = [...first.results.values()].filter((r) => r.loadBalancer.kind !== 'assigned' || r.rejected !== null).length;
const same = JSON.stringify(first.state) === JSON.stringify(second.state);
console.log(
  `${COUNT} Services: fresh ${fresh.toFixed(0)} ms, from recorded state ${again.toFixed(0)} ms; not assigned: ${pending}; second run identical: ${same}`,
);
if (fresh > 1000 || again > 1000 || pending > 0 || !same) process.exitCode = 1;
