/**
 * Finding a Service port from a backend reference, and matching it against the ports of Endpoints objects and
 * EndpointSlices. Kubernetes joins those by port *name* (and protocol), never by number: the number in an Endpoints or
 * slice port is the target port on the endpoint, which may differ from the Service port.
 */
import type { Protocol, Service, ServicePort } from '../k8s/types.ts';

export interface FoundServicePort {
  readonly port: ServicePort;
  /** Index in `spec.ports`, for field paths. */
  readonly index: number;
}

/** By number (`spec.ports[].port`) or by name (`spec.ports[].name`). */
export function findServicePort(service: Service, ref: number | string): FoundServicePort | undefined {
  const ports = service.spec.ports ?? [];
  const index = ports.findIndex((p) => (typeof ref === 'number' ? p.port === ref : p.name === ref));
  const port = ports[index];
  return port === undefined ? undefined : { port, index };
}

/** `80 (http), 443 (https)`, or `none` — for messages that tell a person which ports do exist. */
export function describeServicePorts(service: Service): string {
  const ports = service.spec.ports ?? [];
  if (ports.length === 0) return 'none';
  return ports.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port))).join(', ');
}

/** `'http'/TCP` or `unnamed/TCP`, naming a Service port the way the matching rule sees it. */
export function describePortKey(port: Readonly<{ name?: string | undefined; protocol?: Protocol | undefined }>): string {
  const name = port.name ? `'${port.name}'` : 'unnamed';
  return `${name}/${port.protocol ?? 'TCP'}`;
}

/**
 * True when an Endpoints/EndpointSlice port belongs to the Service port: same name (an absent name is the empty
 * name, which is how a single unnamed Service port pairs with a single unnamed endpoint port) and same protocol
 * (TCP when absent, the API server default).
 */
export function endpointPortMatches(
  servicePort: Readonly<ServicePort>,
  candidate: Readonly<{ name?: string | undefined; protocol?: Protocol | undefined }>,
): boolean {
  return (candidate.name ?? '') === (servicePort.name ?? '') && (candidate.protocol ?? 'TCP') === (servicePort.protocol ?? 'TCP');
}
