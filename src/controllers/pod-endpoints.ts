/**
 * Endpoints of a selector Service, computed from Pods the way the EndpointSlice controller does: Pods in the
 * Service's namespace whose labels match `spec.selector`, that have an IP and have not finished, each at the target
 * port of the Service port (a number, or a name looked up in that Pod's container ports).
 *
 * Readiness, deliberately stricter than Kubernetes in one place: a terminating Pod (deletionTimestamp set) is never
 * `ready`, even with publishNotReadyAddresses. Kubernetes keeps such Pods ready for DNS peer discovery; a proxy must
 * not send new requests to a Pod that is going away. `serving` still reports whether it could take traffic, so a
 * balancer may fall back to it when nothing else is left, as kube-proxy does.
 */
import { formatFieldPath } from '../config/diagnostic.ts';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import { objectRef } from '../k8s/types.ts';
import type { Pod, Service, ServicePort } from '../k8s/types.ts';
import type { StoreReader } from '../store/object-store.ts';
import type { ResolvedEndpoint } from './resolved-endpoint.ts';
import { makeEndpoint } from './endpoint-list.ts';
import type { EndpointSourceResult } from './endpoint-list.ts';
import { matchesSelector } from './label-selector.ts';
import { nodeZone } from './node-zone.ts';
import type { FoundServicePort } from './service-port.ts';

/** The caller has checked that the Service has a non-empty selector. */
export function endpointsFromPods(store: StoreReader, service: LoadedObject<Service>, found: FoundServicePort): EndpointSourceResult {
  const { metadata, spec } = service.object;
  const selector = spec.selector ?? {};
  const publishNotReady = spec.publishNotReadyAddresses === true;
  const endpoints: ResolvedEndpoint[] = [];
  const diagnostics: Diagnostic[] = [];

  // `?? ''`, not undefined: list() without a namespace would return the Pods of every namespace.
  for (const { object: pod } of store.list<Pod>('Pod', metadata.namespace ?? '')) {
    if (!matchesSelector(pod.metadata.labels, selector)) continue;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const address = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
    if (address === undefined || address === '') continue;

    const port = targetPortOf(pod, found.port);
    if (port === undefined) {
      diagnostics.push(unresolvedTargetPort(service, found, pod));
      continue;
    }

    const terminating = pod.metadata.deletionTimestamp !== undefined;
    const serving = publishNotReady || isPodReady(pod);
    const nodeName = pod.spec?.nodeName;
    endpoints.push(
      makeEndpoint({
        address,
        port,
        ready: serving && !terminating,
        serving,
        terminating,
        targetRef: `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`,
        nodeName,
        zone: nodeZone(store, nodeName),
        // As the endpoints controllers do: a Pod's hostname is published when its subdomain is this Service.
        hostname: pod.spec?.subdomain === metadata.name ? pod.spec.hostname : undefined,
      }),
    );
  }
  return { endpoints, diagnostics };
}

/** The Pod's `Ready` condition is `True`. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * The port on this Pod for a Service port: targetPort as a number, absent → the Service port, a name → the
 * containerPort of that name and the same protocol in any container. undefined when the Pod declares no such name.
 */
export function targetPortOf(pod: Pod, servicePort: Readonly<ServicePort>): number | undefined {
  const target = servicePort.targetPort;
  if (target === undefined) return servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = servicePort.protocol ?? 'TCP';
  for (const container of pod.spec?.containers ?? []) {
    for (const p of container.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

function unresolvedTargetPort(service: LoadedObject<Service>, found: FoundServicePort, pod: Pod): Diagnostic {
  const path = ['spec', 'ports', found.index, 'targetPort'];
  const name = String(found.port.targetPort);
  const protocol = found.port.protocol ?? 'TCP';
  return {
    severity: 'warning',
    code: 'EW_TARGETPORT_UNRESOLVED',
    message:
      `${objectRef(pod)} declares no ${protocol} container port named '${name}', so it gets no traffic for ` +
      `Service port ${found.port.port}; add a containerPort named '${name}' to one of its containers, ` +
      `or set targetPort to a number.`,
    position: service.locate(path),
    object: objectRef(service.object),
    field: formatFieldPath(path),
  };
}
