/**
 * Endpoints of a selectorless Service from the EndpointSlices labelled `kubernetes.io/service-name: <name>` in its
 * namespace, read as kube-proxy reads them: the slice port whose name (and protocol) matches the Service port gives
 * the target port; an endpoint's first address is used; absent conditions mean ready (and serving follows ready).
 *
 * Two deliberate choices:
 * - As for Pods, a terminating endpoint is never `ready` (see pod-endpoints.ts for why); `serving` is kept.
 * - FQDN slices are skipped with a warning, as kube-proxy skips them: endpoints here are addresses the data plane
 *   dials directly, and a name that needs DNS at request time belongs in an ExternalName Service.
 */
import { formatFieldPath } from '../config/diagnostic.ts';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import { objectRef } from '../k8s/types.ts';
import type { EndpointSlice, EndpointSliceEndpoint } from '../k8s/types.ts';
import type { StoreReader } from '../store/object-store.ts';
import type { ResolvedEndpoint } from './resolved-endpoint.ts';
import { makeEndpoint } from './endpoint-list.ts';
import type { EndpointSourceResult } from './endpoint-list.ts';
import { nodeZone } from './node-zone.ts';
import { describePortKey, endpointPortMatches } from './service-port.ts';
import type { FoundServicePort } from './service-port.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** The slices of one Service, sorted by name so that whatever reads them does so in a stable order. */
export function slicesForService(store: StoreReader, namespace: string, name: string): LoadedObject<EndpointSlice>[] {
  return store
    .list<EndpointSlice>('EndpointSlice', namespace)
    .filter((s) => s.object.metadata.labels?.[SERVICE_NAME_LABEL] === name)
    .sort((a, b) => (a.object.metadata.name < b.object.metadata.name ? -1 : 1));
}

/** The same address and port in two slices is left for canonicalEndpoints to dedupe (the ready one wins). */
export function endpointsFromSlices(store: StoreReader, slices: readonly LoadedObject<EndpointSlice>[], found: FoundServicePort): EndpointSourceResult {
  const endpoints: ResolvedEndpoint[] = [];
  const diagnostics: Diagnostic[] = [];
  let matched = false;
  let firstWithEndpoints: LoadedObject<EndpointSlice> | undefined;

  for (const loaded of slices) {
    const slice = loaded.object;
    if (slice.addressType === 'FQDN') {
      diagnostics.push(fqdnSkipped(loaded));
      continue;
    }
    if ((slice.endpoints?.length ?? 0) > 0) firstWithEndpoints ??= loaded;
    // A port without a number cannot be dialled; kube-proxy ignores it too.
    const port = slice.ports?.find((p) => p.port !== undefined && endpointPortMatches(found.port, p))?.port;
    if (port === undefined) continue;
    matched = true;
    const namespace = slice.metadata.namespace ?? '';
    for (const endpoint of slice.endpoints ?? []) {
      const resolved = toEndpoint(store, endpoint, port, namespace);
      if (resolved !== undefined) endpoints.push(resolved);
    }
  }

  if (!matched && firstWithEndpoints !== undefined) diagnostics.push(unmatchedPort(firstWithEndpoints, slices, found));
  return { endpoints, diagnostics };
}

function toEndpoint(store: StoreReader, endpoint: EndpointSliceEndpoint, port: number, namespace: string): ResolvedEndpoint | undefined {
  const address = endpoint.addresses[0];
  if (address === undefined) return undefined;
  const conditions = endpoint.conditions ?? {};
  // API semantics: nil ready means ready; nil serving defers to ready; nil terminating means not terminating.
  const ready = conditions.ready ?? true;
  const serving = conditions.serving ?? ready;
  const terminating = conditions.terminating ?? false;
  const refName = endpoint.targetRef?.name;
  return makeEndpoint({
    address,
    port,
    ready: ready && !terminating,
    serving,
    terminating,
    targetRef: refName === undefined ? undefined : `${endpoint.targetRef?.namespace ?? namespace}/${refName}`,
    nodeName: endpoint.nodeName,
    zone: endpoint.zone ?? nodeZone(store, endpoint.nodeName),
    hostname: endpoint.hostname,
  });
}

function fqdnSkipped(loaded: LoadedObject<EndpointSlice>): Diagnostic {
  const path = ['addressType'];
  return {
    severity: 'warning',
    code: 'EW_ENDPOINTSLICE_FQDN_UNSUPPORTED',
    message:
      'FQDN EndpointSlices are not used (kube-proxy ignores them too); to send traffic to a DNS name, use a ' +
      'Service of type ExternalName and enable externalName in the EdgewaySettings.',
    position: loaded.locate(path),
    object: objectRef(loaded.object),
    field: formatFieldPath(path),
  };
}

function unmatchedPort(loaded: LoadedObject<EndpointSlice>, slices: readonly LoadedObject<EndpointSlice>[], found: FoundServicePort): Diagnostic {
  const path = ['ports'];
  const present = new Set<string>();
  for (const s of slices) for (const p of s.object.ports ?? []) present.add(describePortKey(p));
  return {
    severity: 'warning',
    code: 'EW_ENDPOINTS_PORT_UNMATCHED',
    message:
      `no EndpointSlice of this Service has a port matching Service port ${found.port.port} ` +
      `(${describePortKey(found.port)}); ports in its slices: ${present.size === 0 ? 'none' : [...present].join(', ')}. ` +
      `Give the slice port the Service port's name and protocol and a port number.`,
    position: loaded.locate(path),
    object: objectRef(loaded.object),
    field: formatFieldPath(path),
  };
}
