/**
 * Where traffic for one backend reference (Service namespace/name and port number or name) may go, computed from the
 * objects of one configuration as the Kubernetes endpoint controllers and kube-proxy would:
 *
 * - ExternalName Service → a DNS name resolved at request time (only when enabled in the settings); one whose target
 *   names a Service of the cluster (in-cluster-name.ts) → that Service's own resolution, whatever the setting, since
 *   no outside resolver is asked.
 * - Service with a non-empty selector → its matching Pods (pod-endpoints.ts).
 * - Selectorless Service (no selector or `{}`: Kubernetes manages no endpoints for either) → its EndpointSlices if
 *   any exist, as kube-proxy reads only those, else its Endpoints object (endpoint-slices.ts, endpoints-object.ts).
 *
 * Pure: the same store gives the same resolution, endpoints in canonical order (endpoint-list.ts). A missing Service
 * or port yields no diagnostic here: the reference belongs to whoever made it (an Ingress, the settings), so the
 * routing compiler reports it at that position using the reason and message of the `unavailable` resolution.
 */
import { formatFieldPath } from '../config/diagnostic.ts';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { BackendRef, Settings } from '../config/settings.ts';
import { objectRef } from '../k8s/types.ts';
import type { Endpoints, Service } from '../k8s/types.ts';
import type { StoreReader } from '../store/object-store.ts';
import { canonicalEndpoints } from './endpoint-list.ts';
import { inClusterService } from './in-cluster-name.ts';
import type { EndpointSourceResult } from './endpoint-list.ts';
import { endpointsFromSlices, slicesForService } from './endpoint-slices.ts';
import { endpointsFromEndpointsObject } from './endpoints-object.ts';
import { endpointsFromPods } from './pod-endpoints.ts';
import type { BackendResolution } from './resolved-endpoint.ts';
import { describeServicePorts, findServicePort } from './service-port.ts';
import type { FoundServicePort } from './service-port.ts';

export interface BackendResult {
  readonly resolution: BackendResolution;
  readonly diagnostics: Diagnostic[];
}

/** ExternalNames naming each other are followed this far, then the chain counts as a loop. */
const MAX_IN_CLUSTER_HOPS = 8;

export function resolveBackend(store: StoreReader, ref: BackendRef, settings: Settings, hops = 0): BackendResult {
  const loaded = store.get<Service>('Service', ref.namespace, ref.name);
  if (loaded === undefined) {
    return unavailable('EW_BACKEND_SERVICE_MISSING', `Service ${ref.namespace}/${ref.name} does not exist.`);
  }
  const service = loaded.object;
  const found = findServicePort(service, ref.port);

  if (service.spec.type === 'ExternalName') {
    const exists = (namespace: string, name: string): boolean => store.get<Service>('Service', namespace, name) !== undefined;
    const target = inClusterService(service.spec.externalName ?? '', ref.namespace, settings.dns.clusterDomain, exists);
    if (target === null) return resolveExternalName(loaded, ref, found, settings);
    return resolveInCluster(store, loaded, target, found?.port.port ?? ref.port, settings, hops);
  }

  if (found === undefined) return portMissing(service, ref);
  const source = endpointSource(store, loaded, found);
  const appProtocol = found.port.appProtocol;
  return {
    resolution: {
      kind: 'endpoints',
      endpoints: canonicalEndpoints(source.endpoints),
      servicePort: found.port.port,
      ...(appProtocol === undefined ? {} : { appProtocol }),
    },
    diagnostics: [...source.diagnostics],
  };
}

/** True for a Service whose endpoints Kubernetes computes from Pods; `selector: {}` counts as no selector. */
export function hasSelector(service: Service): boolean {
  return service.spec.selector !== undefined && Object.keys(service.spec.selector).length > 0;
}

function endpointSource(store: StoreReader, loaded: LoadedObject<Service>, found: FoundServicePort): EndpointSourceResult {
  if (hasSelector(loaded.object)) return endpointsFromPods(store, loaded, found);
  const { namespace = '', name } = loaded.object.metadata;
  const slices = slicesForService(store, namespace, name);
  if (slices.length > 0) return endpointsFromSlices(store, slices, found);
  const endpoints = store.get<Endpoints>('Endpoints', namespace, name);
  if (endpoints !== undefined) return endpointsFromEndpointsObject(store, endpoints, found);
  return { endpoints: [], diagnostics: [] };
}

/**
 * ExternalName has no endpoints: the data plane resolves the name per request (DnsCache). The port is the Service
 * port's number; an ExternalName Service often lists no ports, so a numeric reference is used as it is.
 */
function resolveExternalName(loaded: LoadedObject<Service>, ref: BackendRef, found: FoundServicePort | undefined, settings: Settings): BackendResult {
  const service = loaded.object;
  const host = service.spec.externalName ?? '';
  if (!settings.externalName.enabled) {
    const path = ['spec', 'type'];
    const message =
      `ExternalName Services are disabled, so requests for it get 503; to forward them to ${host || 'its externalName'}, ` +
      `set externalName.enabled: true in the EdgewaySettings document.`;
    return {
      resolution: { kind: 'unavailable', reason: 'EW_EXTERNALNAME_DISABLED', message: `${objectRef(service)}: ${message}` },
      diagnostics: [
        {
          severity: 'warning',
          code: 'EW_EXTERNALNAME_DISABLED',
          message,
          position: loaded.locate(path),
          object: objectRef(service),
          field: formatFieldPath(path),
        },
      ],
    };
  }
  if (found !== undefined) return { resolution: { kind: 'externalName', host, port: found.port.port }, diagnostics: [] };
  if (typeof ref.port === 'number') return { resolution: { kind: 'externalName', host, port: ref.port }, diagnostics: [] };
  return portMissing(service, ref);
}

/** An ExternalName naming a Service of the cluster: that Service at the same port number, as a pod would reach it. */
function resolveInCluster(
  store: StoreReader,
  loaded: LoadedObject<Service>,
  target: { readonly namespace: string; readonly name: string } | 'other',
  port: number | string,
  settings: Settings,
  hops: number,
): BackendResult {
  const service = loaded.object;
  const name = service.spec.externalName ?? '';
  if (target !== 'other' && hops < MAX_IN_CLUSTER_HOPS) {
    return resolveBackend(store, { namespace: target.namespace, name: target.name, port }, settings, hops + 1);
  }
  const message =
    target === 'other'
      ? `externalName ${name} is inside the cluster domain but names no Service, so there is no port to proxy to; requests for it get 503.`
      : `externalName ${name} leads through more than ${MAX_IN_CLUSTER_HOPS} ExternalName Services (a loop?); requests for it get 503.`;
  const path = ['spec', 'externalName'];
  return {
    resolution: { kind: 'unavailable', reason: 'EW_EXTERNALNAME_IN_CLUSTER', message: `${objectRef(service)}: ${message}` },
    diagnostics: [
      {
        severity: 'warning',
        code: 'EW_EXTERNALNAME_IN_CLUSTER',
        message,
        position: loaded.locate(path),
        object: objectRef(service),
        field: formatFieldPath(path),
      },
    ],
  };
}

function portMissing(service: Service, ref: BackendRef): BackendResult {
  const wanted = typeof ref.port === 'number' ? `port ${ref.port}` : `port named '${ref.port}'`;
  return unavailable('EW_BACKEND_PORT_MISSING', `${objectRef(service)} has no ${wanted}; its ports are: ${describeServicePorts(service)}.`);
}

function unavailable(reason: string, message: string): BackendResult {
  return { resolution: { kind: 'unavailable', reason, message }, diagnostics: [] };
}
