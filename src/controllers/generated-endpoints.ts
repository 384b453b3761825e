/**
 * The Endpoints object and EndpointSlices the cluster's endpoint controllers would write for a Service with a
 * selector, built from the same resolution the data plane uses (pod-endpoints.ts), so what kubectl shows is what
 * edgeway sends traffic to. The API serves them (api/storage/serve-generation.ts) as objects edgeway owns: they are
 * computed again every generation, so a write to one could never last.
 *
 * As the controllers do: addresses with the same port set share a subset (Endpoints) or a slice (EndpointSlice, one
 * per address family too); ready addresses go to `addresses`, the others to `notReadyAddresses`; a Service without
 * matching Pods still gets an Endpoints object without subsets and one empty slice. Pure.
 */
import { isIPv6 } from 'node:net';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { EndpointAddress, EndpointPort, Endpoints, EndpointSlice, EndpointSliceEndpoint, Service } from '../k8s/types.ts';
import type { StoreReader } from '../store/object-store.ts';
import { SERVICE_NAME_LABEL } from './endpoint-slices.ts';
import { endpointsFromPods } from './pod-endpoints.ts';
import type { ResolvedEndpoint } from './resolved-endpoint.ts';
import { hasSelector } from './resolve-backend.ts';

/** The label saying which controller manages a slice; this value is edgeway's own, as the label asks. */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY_EDGEWAY = 'endpointslice.edgeway.io';

export interface GeneratedEndpoints {
  readonly endpoints: Endpoints;
  readonly slices: readonly EndpointSlice[];
}

/** One address with the ports it serves, in Service port order. */
interface AddressPorts {
  readonly endpoint: ResolvedEndpoint;
  readonly ports: EndpointPort[];
}

/** The generated objects for `service`, or null when the cluster would generate none (no selector, ExternalName). */
export function generatedEndpoints(store: StoreReader, service: LoadedObject<Service>): GeneratedEndpoints | null {
  const svc = service.object;
  if (svc.spec.type === 'ExternalName' || !hasSelector(svc)) return null;
  const byAddress = new Map<string, AddressPorts>();
  (svc.spec.ports ?? []).forEach((port, index) => {
    for (const e of endpointsFromPods(store, service, { port, index }).endpoints) {
      const key = `${e.targetRef ?? ''}|${e.address}`;
      let entry = byAddress.get(key);
      if (entry === undefined) byAddress.set(key, (entry = { endpoint: e, ports: [] }));
      entry.ports.push({
        ...(port.name === undefined ? {} : { name: port.name }),
        port: e.port,
        protocol: port.protocol ?? 'TCP',
        ...(port.appProtocol === undefined ? {} : { appProtocol: port.appProtocol }),
      });
    }
  });
  const groups = new Map<string, AddressPorts[]>();
  for (const a of byAddress.values()) {
    const key = `${isIPv6(a.endpoint.address) ? 'IPv6' : 'IPv4'} ${JSON.stringify(a.ports)}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [a]);
    else group.push(a);
  }
  return { endpoints: endpointsObject(svc, [...groups.values()]), slices: slices(svc, [...groups.values()]) };
}

function endpointsObject(svc: Service, groups: readonly AddressPorts[][]): Endpoints {
  const { name, namespace, labels } = svc.metadata;
  const subsets = groups.map((group) => {
    const ready = group.filter((a) => a.endpoint.ready).map(endpointAddress);
    const notReady = group.filter((a) => !a.endpoint.ready).map(endpointAddress);
    return { ...(ready.length > 0 ? { addresses: ready } : {}), ...(notReady.length > 0 ? { notReadyAddresses: notReady } : {}), ports: group[0]!.ports };
  });
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, ...(namespace === undefined ? {} : { namespace }), labels: { ...labels, [SERVICE_NAME_LABEL]: name } },
    ...(subsets.length > 0 ? { subsets } : {}),
  };
}

function slices(svc: Service, groups: readonly AddressPorts[][]): EndpointSlice[] {
  const { name, namespace, labels } = svc.metadata;
  const metadata = (suffix: string): EndpointSlice['metadata'] => ({
    name: `${name}-edgeway${suffix}`,
    ...(namespace === undefined ? {} : { namespace }),
    labels: { ...labels, [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY_EDGEWAY },
  });
  if (groups.length === 0) {
    const family = svc.spec.ipFamilies?.[0] === 'IPv6' ? 'IPv6' : 'IPv4';
    return [{ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: metadata(''), addressType: family, endpoints: [] }];
  }
  return groups.map((group, i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: metadata(i === 0 ? '' : `-${i + 1}`),
    addressType: isIPv6(group[0]!.endpoint.address) ? 'IPv6' : 'IPv4',
    endpoints: group.map((a) => sliceEndpoint(a.endpoint)),
    ports: group[0]!.ports.map((p) => ({
      name: p.name ?? '',
      port: p.port,
      protocol: p.protocol ?? 'TCP',
      ...(p.appProtocol === undefined ? {} : { appProtocol: p.appProtocol }),
    })),
  }));
}

function podRef(e: ResolvedEndpoint): { kind: string; namespace: string; name: string } | undefined {
  if (e.targetRef === undefined) return undefined;
  const slash = e.targetRef.indexOf('/');
  return { kind: 'Pod', namespace: e.targetRef.slice(0, slash), name: e.targetRef.slice(slash + 1) };
}

function endpointAddress({ endpoint: e }: AddressPorts): EndpointAddress {
  const ref = podRef(e);
  return {
    ip: e.address,
    ...(e.hostname === undefined ? {} : { hostname: e.hostname }),
    ...(e.nodeName === undefined ? {} : { nodeName: e.nodeName }),
    ...(ref === undefined ? {} : { targetRef: ref }),
  };
}

function sliceEndpoint(e: ResolvedEndpoint): EndpointSliceEndpoint {
  const ref = podRef(e);
  return {
    addresses: [e.address],
    conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
    ...(e.hostname === undefined ? {} : { hostname: e.hostname }),
    ...(e.nodeName === undefined ? {} : { nodeName: e.nodeName }),
    ...(e.zone === undefined ? {} : { zone: e.zone }),
    ...(ref === undefined ? {} : { targetRef: ref }),
  };
}
