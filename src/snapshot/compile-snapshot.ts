/**
 * Compiles a store of objects into a Snapshot: addresses first (allocations and the listeners serving them), then
 * routes from the Ingresses and one Backend per Service port those routes (and the default backend) can reach.
 * Pure: no I/O, no clocks beyond measuring itself; the previous allocation state comes in as a value.
 */
import { EMPTY_ALLOCATION_STATE, type AllocationState } from '../allocation/allocation-state.ts';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { Settings } from '../config/settings.ts';
import { backendTls } from '../controllers/backend-tls.ts';
import { resolveBackend } from '../controllers/resolve-backend.ts';
import { compileRoutes } from '../routing/compile-routes.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { compileAddresses } from './compile-addresses.ts';
import { fanOut } from './fan-out.ts';
import { compileTls } from './compile-tls.ts';
import type { Backend, Snapshot } from './snapshot.ts';
import type { Service } from '../k8s/types.ts';
import { affinityTimeoutMs, speaksH2c } from './service-backend.ts';

/** @param now the clock for certificate validity; injectable for tests. */
export function compileSnapshot(
  store: ObjectStore,
  settings: Settings,
  generation: number,
  previous: AllocationState = EMPTY_ALLOCATION_STATE,
  now: Date = new Date(),
): Snapshot {
  const started = performance.now();
  const addressing = compileAddresses(store, settings, previous);
  const compiled = compileRoutes(store, settings);
  const tls = compileTls(store, settings, now);
  const diagnostics: Diagnostic[] = [...addressing.diagnostics, ...compiled.diagnostics, ...tls.diagnostics];
  const backends = new Map<string, Backend>();
  for (const [key, ref] of compiled.backends) {
    const { resolution, diagnostics: found } = resolveBackend(store, ref, settings);
    diagnostics.push(...found);
    // NodePort fan-out replaces the endpoints with the nodes; ClientIP affinity wraps the balancer (bound-snapshot.ts).
    const service = store.get<Service>('Service', ref.namespace, ref.name);
    const fanned = service === undefined ? undefined : fanOut(service, ref, resolution, addressing.addresses, settings);
    if (fanned?.diagnostic !== undefined) diagnostics.push(fanned.diagnostic);
    const affinity = affinityTimeoutMs(service?.object);
    const upstreamTls = service === undefined || resolution.kind !== 'endpoints' ? undefined : backendTls(store, service, resolution.appProtocol);
    if (upstreamTls !== undefined) diagnostics.push(...upstreamTls.diagnostics);
    backends.set(key, {
      key,
      service: `${ref.namespace}/${ref.name}`,
      resolution,
      ready: fanned?.ready ?? (resolution.kind === 'endpoints' ? resolution.endpoints.filter((e) => e.ready) : []),
      policy: 'round-robin',
      ...(affinity === undefined ? {} : { affinityTimeoutMs: affinity }),
      ...(upstreamTls?.tls == null ? {} : { tls: upstreamTls.tls }),
      ...(upstreamTls?.tls == null && speaksH2c(resolution) ? { h2c: true as const } : {}),
    });
  }
  for (const [key, backend] of addressing.backends) backends.set(key, backend);
  return {
    generation,
    settings,
    routes: compiled.table,
    backends,
    tls: tls.tls,
    ingresses: compiled.ingresses,
    objectCount: store.size,
    diagnostics: dedupe(diagnostics),
    compiledAt: new Date(),
    compileMs: performance.now() - started,
    addresses: addressing.addresses,
    listenerFailures: new Map(),
  };
}

/** A backend reached from several routes reports the same problem once. */
function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const key = `${d.code}\0${d.object ?? ''}\0${d.field ?? ''}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
