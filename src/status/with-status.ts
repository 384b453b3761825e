/**
 * What `get` and the admin API show for an object: the object as configured, with the fields controllers fill in
 * (allocated addresses, status, conditions) taken from the current snapshot. One decorator per registry kind,
 * `asConfigured` where controllers fill in nothing. Never mutates the stored object.
 */
import type { KindName } from '../k8s/kinds.ts';
import type { KubeObject } from '../k8s/types.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { ingressWithStatus, serviceWithStatus } from './service-status.ts';

export type StatusDecorator = (object: KubeObject, snapshot: Snapshot) => KubeObject;

/** The object as configured: for kinds whose status edgeway does not compute. */
export const asConfigured: StatusDecorator = (object) => object;

/**
 * Decorators by kind, typed over every registry kind so a new kind must choose one here (Service: addresses;
 * Ingress: load balancer and conditions).
 */
export const STATUS_DECORATORS: Readonly<Record<KindName, StatusDecorator>> = {
  Service: serviceWithStatus,
  Endpoints: asConfigured,
  Pod: asConfigured,
  Secret: asConfigured,
  ConfigMap: asConfigured,
  Node: asConfigured,
  Namespace: asConfigured,
  Ingress: ingressWithStatus,
  IngressClass: asConfigured,
  EndpointSlice: asConfigured,
  Deployment: asConfigured,
  IPAddressPool: asConfigured,
  Event: asConfigured,
};

const DECORATORS: ReadonlyMap<string, StatusDecorator> = new Map(Object.entries(STATUS_DECORATORS));

export function withStatus(object: KubeObject, snapshot: Snapshot): KubeObject {
  const decorate = DECORATORS.get(object.kind);
  return decorate === undefined ? object : decorate(object, snapshot);
}
