/**
 * Compiles the address part of a Snapshot: pools from IPAddressPool objects and the settings, every Service's
 * allocation (allocateAll, honouring the previous state), then the listener set that serves the allocations and a
 * backend per served Service port. Pure: the previous state comes in, the new one goes out in the result, and the
 * caller persists it.
 *
 * Entrypoint Services: a LoadBalancer Service annotated `edgeway.io/entrypoint: "true"` publishes the Ingress router
 * itself; its TCP ports serve Ingress routing instead of forwarding to its own endpoints.
 */
import { buildPools } from '../allocation/address-pool.ts';
import type { IPAddressPool } from '../allocation/address-pool.ts';
import { allocateAll, type ForeignClaims } from '../allocation/allocate-services.ts';
import type { AllocationState } from '../allocation/allocation-state.ts';
import type { Diagnostic } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Settings } from '../config/settings.ts';
import { nodePortAddresses } from '../controllers/node-port-addresses.ts';
import { nodeTargets } from '../controllers/node-targets.ts';
import { resolveBackend } from '../controllers/resolve-backend.ts';
import type { KubeObject, Node, Service, ServicePort } from '../k8s/types.ts';
import { objectRef } from '../k8s/types.ts';
import { localAddressCheck, type LocalAddressCheck } from '../net/local-addresses.ts';
import type { StoreReader } from '../store/object-store.ts';
import type { CompiledAddresses, ListenerKind, ListenerSpec, ServiceProblem } from './addresses.ts';
import { listenerBackendKey, listenerKey } from './addresses.ts';
import { serviceBackend } from './service-backend.ts';
import type { Backend } from './snapshot.ts';
import { H2C_APP_PROTOCOL } from './service-backend.ts';
import { compileBackendLimits } from './backend-limits.ts';

/** On a LoadBalancer Service: its addresses serve the Ingress router (see the README, "Publishing the entrypoints"). */
export const ENTRYPOINT_ANNOTATION = 'edgeway.io/entrypoint';

const HTTP_APP_PROTOCOLS: ReadonlySet<string> = new Set(['http', 'kubernetes.io/h2c']);

export interface AddressCompilation {
  readonly addresses: CompiledAddresses;
  /** Backends of the served Service ports, by listenerBackendKey(). */
  readonly backends: ReadonlyMap<string, Backend>;
  readonly diagnostics: readonly Diagnostic[];
}

export function isEntrypointService(service: Service): boolean {
  return service.spec.type === 'LoadBalancer' && service.metadata.annotations?.[ENTRYPOINT_ANNOTATION] === 'true';
}

/** What a Service port is served as, or a problem when it cannot be served. */
export function listenerKindOf(service: Service, port: ServicePort): ListenerKind | ServiceProblem {
  const protocol = port.protocol ?? 'TCP';
  if (protocol !== 'TCP') {
    return { reason: 'EW_SERVICE_PROTOCOL_UNSUPPORTED', message: `port ${port.port}/${protocol} is not served: edgeway serves TCP ports only` };
  }
  if (isEntrypointService(service)) {
    if (port.port === 443 || port.name === 'https' || port.appProtocol === 'https') return 'ingress-https';
    return 'ingress';
  }
  return port.appProtocol !== undefined && HTTP_APP_PROTOCOLS.has(port.appProtocol) ? 'http' : 'tcp';
}

/**
 * @param isLocal which addresses are this machine's: NodePorts are served on the local Node addresses.
 * @param foreignClaims 'reserve' with a shared allocation document: records of Services not in `store` belong to
 *   other replicas and are never handed out here (allocate-services.ts).
 */
export function compileAddresses(
  store: StoreReader,
  settings: Settings,
  previous: AllocationState,
  isLocal: LocalAddressCheck = localAddressCheck(),
  foreignClaims: ForeignClaims = 'release',
): AddressCompilation {
  const a = settings.addresses;
  const nodes = store.list<Node>('Node');
  const nodePortAt = nodePortAddresses(nodes, a.nodeAddresses, isLocal);
  const built = buildPools(store.list<IPAddressPool>('IPAddressPool'), a.pools);
  const services = store.list<Service>('Service');
  const outcome = allocateAll(services, built.pools, previous, {
    loadBalancerClass: a.loadBalancerClass,
    nodePortRange: a.nodePortRange,
    serviceCIDRs: a.serviceCIDRs,
    foreignClaims,
    // Read only when a pool selects namespaces by label, so the compile depends on Namespaces only then.
    namespaceLabels: (namespace) => store.get<KubeObject>('Namespace', undefined, namespace)?.object.metadata.labels,
  });
  const diagnostics: Diagnostic[] = [...built.diagnostics, ...outcome.diagnostics, ...nodePortAt.diagnostics];
  const problems = new Map<string, ServiceProblem[]>();
  const backends = new Map<string, Backend>();
  const listeners: ListenerSpec[] = [];
  const taken = new Map<string, ListenerSpec>();
  const entrypointIPs: string[] = [];

  const sorted = [...services].sort((x, y) => compare(keyOf(x.object), keyOf(y.object)));
  for (const loaded of sorted) {
    const service = loaded.object;
    const key = keyOf(service);
    const allocation = outcome.results.get(key);
    if (allocation === undefined || allocation.rejected !== null) continue;
    const lbIPs = allocation.loadBalancer.kind === 'assigned' ? allocation.loadBalancer.ips : [];
    if (isEntrypointService(service)) entrypointIPs.push(...lbIPs);
    const problem = (p: ServiceProblem, field: readonly (string | number)[]): void => {
      const list = problems.get(key) ?? [];
      list.push(p);
      problems.set(key, list);
      diagnostics.push({
        severity: 'warning',
        code: p.reason,
        message: p.message,
        position: loaded.locate(field),
        object: objectRef(service),
        field: formatFieldPath(field),
      });
    };
    (service.spec.ports ?? []).forEach((port, index) => {
      const nodePort = allocation.nodePorts.find((n) => n.index === index)?.nodePort;
      const targets: { address: string; port: number; source: ListenerSpec['source'] }[] = [
        ...allocation.clusterIPs.map((ip) => ({ address: ip, port: port.port, source: 'clusterIP' as const })),
        ...lbIPs.map((ip) => ({ address: ip, port: port.port, source: 'loadBalancer' as const })),
        ...(nodePort === undefined ? [] : nodePortAt.addresses.map((ip) => ({ address: ip, port: nodePort, source: 'nodePort' as const }))),
      ];
      if (targets.length === 0) return;
      const kind = listenerKindOf(service, port);
      // The built-in kube-dns Service's 53/UDP is documented as unserved here: no warning about an object nobody wrote.
      if (typeof kind !== 'string' && loaded.origin.kind === 'builtin') return;
      if (typeof kind !== 'string') return problem(kind, ['spec', 'ports', index, kind.reason === 'EW_SERVICE_PROTOCOL_UNSUPPORTED' ? 'protocol' : 'port']);
      let backendKey: string | null = null;
      if (kind !== 'ingress' && kind !== 'ingress-https') {
        backendKey = listenerBackendKey(key, port.port);
        const { namespace = 'default', name } = service.metadata;
        const resolved = resolveBackend(store, { namespace, name, port: port.port }, settings);
        // A Service also behind an Ingress reports the same limit problem twice; compile-snapshot's dedupe keeps one.
        const limits = compileBackendLimits(loaded, settings);
        diagnostics.push(...limits.diagnostics);
        backends.set(backendKey, serviceBackend(backendKey, key, resolved.resolution, service, limits.limits));
      }
      for (const target of targets) {
        const spec: ListenerSpec = {
          key: listenerKey(target.address, target.port),
          ...target,
          kind,
          service: key,
          servicePort: port.port,
          backendKey,
          ...(kind === 'http' && port.appProtocol === H2C_APP_PROTOCOL ? { h2c: true as const } : {}),
        };
        const holder = taken.get(spec.key);
        if (holder !== undefined) {
          problem(
            {
              reason: 'EW_LISTENER_CONFLICT',
              message: `${spec.key} is already served for Service ${holder.service} port ${holder.servicePort}; this port is not served there`,
            },
            ['spec', 'ports', index],
          );
          continue;
        }
        taken.set(spec.key, spec);
        listeners.push(spec);
      }
    });
  }
  return {
    addresses: {
      pools: built.pools,
      state: outcome.state,
      services: outcome.results,
      listeners,
      problems,
      entrypointIPs,
      nodes: nodeTargets(
        nodes.map((n: LoadedObject<Node>) => n.object),
        a.nodeAddresses,
        isLocal,
      ),
    },
    backends,
    diagnostics,
  };
}

function keyOf(service: Service): string {
  return `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
