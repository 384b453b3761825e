/**
 * Turns an Ingress backend into the BackendRef routes point at, and reports on the Ingress what will fail at
 * request time (missing Service or port, resource backends). A bad backend never removes the route: requests that
 * match it get 503 from the data plane, which is more honest than falling through to another rule.
 *
 * The port stays as written (number, or name): the endpoints layer resolves names against the Service, so endpoint
 * churn or a Service change never rebuilds routes. Only when no port is given and the Service has exactly one port
 * is that port's number used (the API server would reject a missing port; this keeps hand-written files working).
 */
import type { BackendRef } from '../config/settings.ts';
import type { Diagnostic } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Ingress, IngressBackend, Service, ServicePort } from '../k8s/types.ts';
import { objectRef } from '../k8s/types.ts';
import type { StoreReader } from '../store/object-store.ts';

export interface ResolvedBackend {
  /** null: edgeway cannot serve this backend at all (requests get 503). */
  readonly ref: BackendRef | null;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * @param at the field path of the backend inside the Ingress (`['spec', 'defaultBackend']`).
 */
export function ingressBackendRef(
  store: StoreReader,
  loaded: LoadedObject<Ingress>,
  backend: IngressBackend,
  at: readonly (string | number)[],
): ResolvedBackend {
  const namespace = loaded.object.metadata.namespace ?? 'default';
  const report = (code: string, field: readonly (string | number)[], message: string, severity: Diagnostic['severity'] = 'error'): Diagnostic => ({
    severity,
    code,
    message,
    position: loaded.locate(field),
    object: objectRef(loaded.object),
    field: formatFieldPath(field),
  });

  if (backend.service === undefined) {
    if (backend.resource !== undefined) {
      const { kind, name } = backend.resource;
      return {
        ref: null,
        diagnostics: [
          report(
            'EW_BACKEND_RESOURCE_UNSUPPORTED',
            [...at, 'resource'],
            `resource backends (${kind} ${name}) are not served by edgeway, so this path is left out and its requests get what a missing rule gets (another rule, a default backend, or 404). Use a service backend.`,
            'warning',
          ),
        ],
      };
    }
    return {
      ref: null,
      diagnostics: [report('EW_BACKEND_SERVICE_MISSING', at, 'the backend names no service; requests routed here get 503. Set service.name and service.port.')],
    };
  }

  const { name, port } = backend.service;
  const servicePath = [...at, 'service'];
  const service = store.get<Service>('Service', namespace, name)?.object;
  if (service === undefined) {
    const ref = port === undefined ? null : refOf(namespace, name, port);
    return {
      ref,
      diagnostics: [
        report(
          'EW_BACKEND_SERVICE_MISSING',
          [...servicePath, 'name'],
          `Service ${namespace}/${name} does not exist; requests routed here get 503 until it is created in namespace ${namespace}.`,
        ),
      ],
    };
  }

  const ports = service.spec.ports ?? [];
  if (port === undefined || (port.number === undefined && port.name === undefined)) {
    const only = ports.length === 1 ? ports[0] : undefined;
    if (only !== undefined) return { ref: { namespace, name, port: only.port }, diagnostics: [] };
    return {
      ref: null,
      diagnostics: [
        report(
          'EW_BACKEND_PORT_MISSING',
          servicePath,
          `no port given and Service ${namespace}/${name} has ${ports.length} ports (${describePorts(ports)}); requests routed here get 503. Set service.port.number or service.port.name.`,
        ),
      ],
    };
  }

  const ref = refOf(namespace, name, port);
  const found = port.number !== undefined ? ports.some((p) => p.port === port.number) : ports.some((p) => p.name === port.name);
  if (found) return { ref, diagnostics: [] };
  const wanted = port.number !== undefined ? `port ${port.number}` : `port named "${port.name}"`;
  return {
    ref,
    diagnostics: [
      report(
        'EW_BACKEND_PORT_MISSING',
        [...servicePath, 'port', port.number !== undefined ? 'number' : 'name'],
        `Service ${namespace}/${name} has no ${wanted} (it has: ${describePorts(ports)}); requests routed here get 503. Use one of the Service's ports.`,
      ),
    ],
  };
}

function refOf(namespace: string, name: string, port: { readonly number?: number; readonly name?: string }): BackendRef | null {
  if (port.number !== undefined) return { namespace, name, port: port.number };
  if (port.name !== undefined) return { namespace, name, port: port.name };
  return null;
}

function describePorts(ports: readonly ServicePort[]): string {
  if (ports.length === 0) return 'none';
  return ports.map((p) => (p.name === undefined ? String(p.port) : `${p.port} (${p.name})`)).join(', ');
}
