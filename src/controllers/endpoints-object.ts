/**
 * Endpoints of a selectorless Service from its `Endpoints` object (same namespace and name), read the way kube-proxy
 * read them before EndpointSlices: in each subset, the port whose name (and protocol) matches the Service port gives
 * the target port; `addresses` are ready, `notReadyAddresses` are not. A subset without that port contributes nothing
 * for it (multi-port Services may split addresses by port set), so only a whole object without it is reported.
 */
import { formatFieldPath } from '../config/diagnostic.ts';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import { objectRef } from '../k8s/types.ts';
import type { EndpointAddress, Endpoints } from '../k8s/types.ts';
import type { StoreReader } from '../store/object-store.ts';
import type { ResolvedEndpoint } from './resolved-endpoint.ts';
import { makeEndpoint } from './endpoint-list.ts';
import type { EndpointSourceResult } from './endpoint-list.ts';
import { nodeZone } from './node-zone.ts';
import { describePortKey, endpointPortMatches } from './service-port.ts';
import type { FoundServicePort } from './service-port.ts';

export function endpointsFromEndpointsObject(store: StoreReader, loaded: LoadedObject<Endpoints>, found: FoundServicePort): EndpointSourceResult {
  const object = loaded.object;
  const namespace = object.metadata.namespace ?? '';
  const endpoints: ResolvedEndpoint[] = [];
  let matched = false;
  let hasAddresses = false;

  for (const subset of object.subsets ?? []) {
    const addressCount = (subset.addresses?.length ?? 0) + (subset.notReadyAddresses?.length ?? 0);
    if (addressCount > 0) hasAddresses = true;
    const port = subset.ports?.find((p) => endpointPortMatches(found.port, p));
    if (port === undefined) continue;
    matched = true;
    const add = (address: EndpointAddress, ready: boolean): void => {
      endpoints.push(
        makeEndpoint({
          address: address.ip,
          port: port.port,
          ready,
          serving: ready,
          terminating: false,
          targetRef: refOf(address, namespace),
          nodeName: address.nodeName,
          zone: nodeZone(store, address.nodeName),
          hostname: address.hostname,
        }),
      );
    };
    for (const address of subset.addresses ?? []) add(address, true);
    for (const address of subset.notReadyAddresses ?? []) add(address, false);
  }

  const diagnostics: Diagnostic[] = [];
  if (!matched && hasAddresses) diagnostics.push(unmatchedPort(loaded, found));
  return { endpoints, diagnostics };
}

function refOf(address: EndpointAddress, namespace: string): string | undefined {
  const name = address.targetRef?.name;
  return name === undefined ? undefined : `${address.targetRef?.namespace ?? namespace}/${name}`;
}

function unmatchedPort(loaded: LoadedObject<Endpoints>, found: FoundServicePort): Diagnostic {
  const path = ['subsets'];
  const present = new Set<string>();
  for (const subset of loaded.object.subsets ?? []) for (const p of subset.ports ?? []) present.add(describePortKey(p));
  return {
    severity: 'warning',
    code: 'EW_ENDPOINTS_PORT_UNMATCHED',
    message:
      `no subset has a port matching Service port ${found.port.port} (${describePortKey(found.port)}); ports here: ` +
      `${present.size === 0 ? 'none' : [...present].join(', ')}. Give the Endpoints port the Service port's name ` +
      `and protocol (leave both unnamed for a single-port Service).`,
    position: loaded.locate(path),
    object: objectRef(loaded.object),
    field: formatFieldPath(path),
  };
}
