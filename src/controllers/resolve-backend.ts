/**
 * Where traffic for one backend reference (Service namespace/name and port number or name) may go, computed from the
 * objects of one configuration as the Kubernetes endpoint controllers and kube-proxy would:
 *
 * - ExternalName Service → a DNS name resolved at request time (only when enabled in the settings).
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

export function resolveBackend(store: StoreReader, ref: BackendRef, settings: Settings): BackendResult {
  const loaded = store.get<Service>('Service', ref.namespace, ref.name);
  if (loaded === undefined) {
    return unavailable('EW_BACKEND_SERVICE_MISSING', `Service ${ref.namespace}/${ref.name} does not exist.`);
  }
  const service = loaded.object;
  const found = findServicePort(service, ref.port);

  if (service.spec.type === 'ExternalName') return resolveExternalName(loaded, ref, found, settings);

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
function resolveExternalName(
  loaded: LoadedObject<Service>,
  ref: BackendRef,
  found: FoundServicePort | undefined,
  settings: Settings,
): BackendResult {
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

function portMissing(service: Service, ref: BackendRef): BackendResult {
  const wanted = typeof ref.port === 'number' ? `port ${ref.port}` : `port named '${ref.port}'`;
  return unavailable(
    'EW_BACKEND_PORT_MISSING',
    `${objectRef(service)} has no ${wanted}; its ports are: ${describeServicePorts(service)}.`,
  );
}

function unavailable(reason: string, message: string): BackendResult {
  return { resolution: { kind: 'unavailable', reason, message }, diagnostics: [] };
}
