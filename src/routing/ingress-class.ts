/**
 * Decides whether an Ingress belongs to edgeway, by IngressClass, so that several controllers can share one
 * configuration and each serves only its own Ingresses.
 *
 * In order (the first that applies decides):
 * 1. `spec.ingressClassName` names an IngressClass whose `spec.controller` is ours. A name with no such
 *    IngressClass, or a class of another controller, means not ours.
 * 2. The deprecated annotation `kubernetes.io/ingress.class` (still written by older charts) names an IngressClass
 *    of ours. Like the field, it names an IngressClass object: a bare controller-specific word such as `nginx` with
 *    no IngressClass of that name is not ours. The API server refuses both at once; if both are given, the field
 *    wins, as it does in Kubernetes.
 * 3. With no class at all, the Ingress is ours when an IngressClass of ours is annotated
 *    `ingressclass.kubernetes.io/is-default-class: "true"`. Kubernetes' admission would have written that class
 *    into the Ingress; with several default classes it refuses such Ingresses, so when a default class of another
 *    controller exists too, edgeway still serves them only if one of the defaults is its own (documented choice: a
 *    file-based setup has no admission step to refuse them).
 */
import type { Ingress, IngressClass } from '../k8s/types.ts';

export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export function servesIngress(ingress: Ingress, classes: readonly IngressClass[], controllerName: string): boolean {
  const className = ingress.spec.ingressClassName ?? ingress.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (className !== undefined && className !== '') {
    return classes.some((c) => c.metadata.name === className && c.spec.controller === controllerName);
  }
  return classes.some((c) => c.spec.controller === controllerName && isDefaultClass(c));
}

export function isDefaultClass(ingressClass: IngressClass): boolean {
  return ingressClass.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
}
