/**
 * Small builders for the routing tests: LoadedObjects with fixed, known positions (independent of the YAML loader),
 * Ingresses, Services, IngressClasses and Settings.
 */
import { formatFieldPath } from '../src/config/diagnostic.ts';
import type { SourcePosition } from '../src/config/diagnostic.ts';
import type { LoadedObject } from '../src/config/loaded-object.ts';
import type { BackendRef, Settings } from '../src/config/settings.ts';
import type { Ingress, IngressBackend, IngressClass, KubeObject, PathType, Service, ServicePort } from '../src/k8s/types.ts';
import { ObjectStore } from '../src/store/object-store.ts';
import { DEFAULT_SETTINGS } from '../src/config/settings-defaults.ts';

export const CONTROLLER = 'edgeway.io/ingress-controller';

/**
 * @param line where the object starts in `file`.
 * @param fields lines of given fields (`'spec.rules[0].host': 12`); locate() falls back to the nearest listed
 *   ancestor, then to the object, like the real loader.
 */
export function loaded<T extends KubeObject>(object: T, line = 1, fields: Readonly<Record<string, number>> = {}, file = 'routes.yaml'): LoadedObject<T> {
  const position: SourcePosition = { file, line, column: 1 };
  return {
    object,
    position,
    origin: { kind: 'file', ...position },
    locate(path) {
      for (let n = path.length; n > 0; n--) {
        const found = fields[formatFieldPath(path.slice(0, n))];
        if (found !== undefined) return { file, line: found, column: 3 };
      }
      return position;
    },
  };
}

export function svcBackend(name: string, port: number | string = 80): IngressBackend {
  return { service: { name, port: typeof port === 'number' ? { number: port } : { name: port } } };
}

export function path(p: string | undefined, pathType: PathType, backend: IngressBackend) {
  return p === undefined ? { pathType, backend } : { path: p, pathType, backend };
}

export interface IngressOptions {
  readonly namespace?: string;
  readonly created?: string;
  readonly className?: string | null;
  readonly annotations?: Record<string, string>;
}

export function ingress(name: string, spec: Ingress['spec'], options: IngressOptions = {}): Ingress {
  const metadata: Ingress['metadata'] = { name, namespace: options.namespace ?? 'default' };
  if (options.created !== undefined) metadata.creationTimestamp = options.created;
  if (options.annotations !== undefined) metadata.annotations = options.annotations;
  const className = options.className === undefined ? 'edgeway' : options.className;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata,
    spec: className === null ? spec : { ingressClassName: className, ...spec },
  };
}

export function service(name: string, ports: ServicePort[] = [{ port: 80 }], namespace = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports } };
}

export function ingressClass(name: string, controller = CONTROLLER, isDefault = false): IngressClass {
  const metadata: IngressClass['metadata'] = { name };
  if (isDefault) metadata.annotations = { 'ingressclass.kubernetes.io/is-default-class': 'true' };
  return { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata, spec: { controller } };
}

export function settings(defaultBackend: BackendRef | null = null): Settings {
  return { ...DEFAULT_SETTINGS, controllerName: CONTROLLER, defaultBackend };
}

/** A store holding the `edgeway` IngressClass (ours) plus the given objects. */
export function storeOf(...objects: (KubeObject | LoadedObject)[]): ObjectStore {
  const all = [ingressClass('edgeway'), ...objects];
  return new ObjectStore(all.map((o) => ('object' in o && 'locate' in o ? (o as LoadedObject) : loaded(o as KubeObject))));
}
