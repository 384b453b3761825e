/**
 * Compiles a store of objects into a Snapshot: addresses first (allocations and the listeners serving them), then
 * routes from the Ingresses and one Backend per Service port those routes (and the default backend) can reach.
 * Pure: no I/O, no clocks beyond measuring itself; the previous allocation state comes in as a value.
 *
 * Federation: with clusters in the settings, each cluster's store is resolved for the same Service namespace/name
 * and port, and the endpoints found are added to the main configuration's, carrying their cluster and (when they
 * have none) the cluster's zone and region. Routes come from the main configuration only. The Service object that
 * decides the balancing policy is the main configuration's, else the first cluster's that has it. The listeners on a
 * federated Service's own addresses (ClusterIP, LoadBalancer, NodePort) get the same federated backend, so they fail
 * over across clusters by the same locality plan as the Ingress routes. The main configuration's endpoints that carry
 * no zone or region take edgeway's own (`locality`): they are the local shard.
 */
import type { ForeignClaims } from '../allocation/allocate-services.ts';
import { EMPTY_ALLOCATION_STATE, type AllocationState } from '../allocation/allocation-state.ts';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { BackendRef, Settings } from '../config/settings.ts';
import { backendTls } from '../controllers/backend-tls.ts';
import { addEndpointExtras, type ClusterLocality } from '../controllers/endpoint-extras.ts';
import { canonicalEndpoints } from '../controllers/endpoint-list.ts';
import { resolveBackend } from '../controllers/resolve-backend.ts';
import type { BackendResolution, ResolvedEndpoint } from '../controllers/resolved-endpoint.ts';
import type { Service } from '../k8s/types.ts';
import { compileRoutes } from '../routing/compile-routes.ts';
import type { ObjectStore, StoreReader } from '../store/object-store.ts';
import type { CompiledAddresses } from './addresses.ts';
import { CompileMemo, type CompiledBackend } from './compile-memo.ts';
import { backendPolicy } from './backend-policy.ts';
import { compileAddresses } from './compile-addresses.ts';
import { compileTls } from './compile-tls.ts';
import { fanOut } from './fan-out.ts';
import { affinityTimeoutMs, speaksH2c } from './service-backend.ts';
import { compileBackendLimits } from './backend-limits.ts';
import type { Backend, Snapshot } from './snapshot.ts';

/** Another cluster's objects, loaded from its own manifests. */
export interface ClusterStore extends ClusterLocality {
  readonly name: string;
  readonly store: ObjectStore;
}

/**
 * @param now the clock for certificate validity; injectable for tests.
 * @param clusters the other clusters' objects (settings `clusters`), federated by Service namespace/name.
 * @param memo kept by the caller across compilations so a reload redoes only what changed (compile-memo.ts);
 *   without one everything is compiled anew. The snapshot is the same either way.
 * @param foreignClaims 'reserve' when `previous` is the allocation document shared by several replicas: the
 *   records of Services not in `store` are other replicas' claims and stay taken (allocate-services.ts).
 */
export function compileSnapshot(
  store: ObjectStore,
  settings: Settings,
  generation: number,
  previous: AllocationState = EMPTY_ALLOCATION_STATE,
  now: Date = new Date(),
  clusters: readonly ClusterStore[] = [],
  memo: CompileMemo = new CompileMemo(),
  foreignClaims: ForeignClaims = 'release',
): Snapshot {
  const started = performance.now();
  memo.begin();
  const addressing = memo.addresses(store, settings, previous, foreignClaims, (reader) =>
    compileAddresses(reader, settings, previous, undefined, foreignClaims),
  );
  const compiled = compileRoutes(store, settings, memo.routes);
  const tls = compileTls(store, settings, now, memo.lastTls);
  memo.lastTls = tls.tls;
  const diagnostics: Diagnostic[] = [...addressing.diagnostics, ...compiled.diagnostics, ...tls.diagnostics];
  const backends = new Map<string, Backend>();
  for (const [key, ref] of compiled.backends) {
    // Federated backends read the clusters' stores, which are loaded anew on every reload: those are not memoised.
    const one =
      clusters.length === 0
        ? (memo.keptBackend(key, store, settings, addressing.addresses) ??
          memo.backend(key, store, settings, addressing.addresses, (reader) => compileBackend(reader, key, ref, settings, [], addressing.addresses)))
        : compileBackend(store, key, ref, settings, clusters, addressing.addresses);
    for (const d of one.diagnostics) diagnostics.push(d);
    // Connect timeouts come from the routes (Ingress annotations), not from what the backend memo reads.
    const timed = compiled.connectTimeouts.get(key);
    backends.set(key, timed === undefined ? one.backend : { ...one.backend, connectTimeouts: Object.freeze([...timed].sort((x, y) => x - y)) });
  }
  memo.settle();
  for (const [key, backend] of addressing.backends) {
    const federated = clusters.length === 0 ? undefined : federatedListenerBackend(store, key, backend, settings, clusters, addressing.addresses);
    if (federated !== undefined) for (const d of federated.diagnostics) diagnostics.push(d);
    backends.set(key, federated?.backend ?? backend);
  }
  return {
    generation,
    settings,
    routes: compiled.table,
    backends: memo.sameBackends(backends),
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

/**
 * The backend of a listener on a Service's own address when another cluster has the Service too: the federated
 * backend an Ingress route to the same port would get, without NodePort fan-out (the listener is the Service itself).
 * undefined when no other cluster has the Service, or when the listener serves no backend of its own.
 */
function federatedListenerBackend(
  store: StoreReader,
  key: string,
  own: Backend,
  settings: Settings,
  clusters: readonly ClusterStore[],
  addresses: CompiledAddresses,
): CompiledBackend | undefined {
  const [namespace = 'default', name = ''] = own.service.split('/');
  if (!clusters.some((c) => c.store.get<Service>('Service', namespace, name) !== undefined)) return undefined;
  const port = Number(key.slice(key.lastIndexOf(':') + 1));
  const compiled = compileBackend(store, key, { namespace, name, port }, settings, clusters, addresses, false);
  return { backend: { ...compiled.backend, limits: own.limits }, diagnostics: compiled.diagnostics };
}

/** One Ingress backend from the main store (read through `store`) and the clusters' stores. */
function compileBackend(
  store: StoreReader,
  key: string,
  ref: BackendRef,
  settings: Settings,
  clusters: readonly ClusterStore[],
  addresses: CompiledAddresses,
  fanOutToNodes = true,
): CompiledBackend {
  const diagnostics: Diagnostic[] = [];
  const local: ClusterLocality = { name: undefined, zone: settings.locality.zone, region: settings.locality.region };
  const sources = [{ cluster: local, store }, ...clusters.map((c) => ({ cluster: c as ClusterLocality, store: c.store as StoreReader }))];
  let resolution: BackendResolution | undefined;
  let service: LoadedObject<Service> | undefined;
  const endpoints: ResolvedEndpoint[] = [];
  const names: string[] = [];
  for (const source of sources) {
    const found = resolveOne(source.store, ref, settings, source.cluster, diagnostics);
    if (found === undefined) continue;
    if (resolution === undefined || (resolution.kind === 'unavailable' && found.resolution.kind !== 'unavailable')) {
      resolution = found.resolution;
      service = found.service;
    }
    if (found.resolution.kind === 'endpoints') {
      endpoints.push(...found.endpoints);
      names.push(source.cluster.name ?? 'local');
    }
  }
  resolution ??= { kind: 'unavailable', reason: 'EW_BACKEND_SERVICE_MISSING', message: `Service ${ref.namespace}/${ref.name} does not exist.` };
  if (resolution.kind === 'endpoints' && names.length > 1) resolution = { ...resolution, endpoints: canonicalEndpoints(endpoints) };
  else if (resolution.kind === 'endpoints') resolution = { ...resolution, endpoints };
  const policy = backendPolicy(service, settings);
  diagnostics.push(...policy.diagnostics);
  // NodePort fan-out (the main configuration's Service) replaces the endpoints with the nodes; ClientIP affinity
  // wraps the balancer (bound-snapshot.ts).
  const own = store.get<Service>('Service', ref.namespace, ref.name);
  const fanned = own === undefined || !fanOutToNodes ? undefined : fanOut(own, ref, resolution, addresses, settings);
  if (fanned?.diagnostic !== undefined) diagnostics.push(fanned.diagnostic);
  const affinity = affinityTimeoutMs(service?.object);
  const upstreamTls = own === undefined || resolution.kind !== 'endpoints' ? undefined : backendTls(store, own, resolution.appProtocol);
  if (upstreamTls !== undefined) diagnostics.push(...upstreamTls.diagnostics);
  const limits = compileBackendLimits(service, settings);
  diagnostics.push(...limits.diagnostics);
  const backend: Backend = {
    key,
    service: `${ref.namespace}/${ref.name}`,
    resolution,
    ready: fanned?.ready ?? (resolution.kind === 'endpoints' ? resolution.endpoints.filter((e) => e.ready) : []),
    ...policy.policy,
    clusters: names,
    ...(affinity === undefined ? {} : { affinityTimeoutMs: affinity }),
    ...(upstreamTls?.tls == null ? {} : { tls: upstreamTls.tls }),
    ...(upstreamTls?.tls == null && speaksH2c(resolution) ? { h2c: true as const } : {}),
    limits: limits.limits,
  };
  return { backend, diagnostics };
}

interface Resolved {
  readonly resolution: BackendResolution;
  readonly service: LoadedObject<Service> | undefined;
  readonly endpoints: ResolvedEndpoint[];
}

/** undefined when a remote cluster does not have the Service at all (only the main configuration reports that). */
function resolveOne(store: StoreReader, ref: BackendRef, settings: Settings, cluster: ClusterLocality, diagnostics: Diagnostic[]): Resolved | undefined {
  const service = store.get<Service>('Service', ref.namespace, ref.name);
  if (service === undefined && cluster.name !== undefined) return undefined;
  const { resolution, diagnostics: found } = resolveBackend(store, ref, settings);
  diagnostics.push(...found);
  if (resolution.kind !== 'endpoints') return { resolution, service, endpoints: [] };
  const extras = addEndpointExtras(store, service, resolution.endpoints, cluster, settings.healthChecks);
  diagnostics.push(...extras.diagnostics);
  return { resolution, service, endpoints: extras.endpoints };
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
