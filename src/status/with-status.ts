/**
 * What `get` and the admin API show for an object: the object as configured, with the fields controllers fill in
 * (allocated addresses, status, conditions) taken from the current snapshot. One decorator per kind; a kind without
 * one is shown as configured. Never mutates the stored object.
 */
import type { KubeObject } from '../k8s/types.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { ingressWithStatus, serviceWithStatus } from './service-status.ts';

export type StatusDecorator = (object: KubeObject, snapshot: Snapshot) => KubeObject;

/** Decorators by kind; features register theirs here (Service: addresses; Ingress: load balancer and conditions). */
const DECORATORS = new Map<string, StatusDecorator>([
  ['Service', serviceWithStatus],
  ['Ingress', ingressWithStatus],
]);

export function withStatus(object: KubeObject, snapshot: Snapshot): KubeObject {
  const decorate = DECORATORS.get(object.kind);
  return decorate === undefined ? object : decorate(object, snapshot);
}
