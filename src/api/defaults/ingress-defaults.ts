/**
 * An Ingress without a class gets the default IngressClass's name on create, as the API server's
 * DefaultIngressClass admission writes it; with several default classes the API server refuses such an Ingress
 * (403, "2 default IngressClasses were found, only 1 allowed"), which `defaultIngressClassRefusal` answers.
 */
import type { KindEntry } from '../../k8s/kind-entry.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { DEFAULT_CLASS_ANNOTATION, INGRESS_CLASS_ANNOTATION } from '../../routing/ingress-class.ts';
import { kubeStatus, type KubeStatus } from '../kube-status.ts';
import { isRecord, type MutableRecord } from './records.ts';

/** The IngressClasses marked default, by name (the order the API server's lister gives does not matter here). */
export function defaultIngressClasses(classes: readonly KubeObject[]): readonly string[] {
  return classes.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true').map((c) => c.metadata.name);
}

function hasClass(object: KubeObject): boolean {
  const spec = object['spec'];
  const named = isRecord(spec) && typeof spec['ingressClassName'] === 'string' && spec['ingressClassName'] !== '';
  return named || object.metadata.annotations?.[INGRESS_CLASS_ANNOTATION] !== undefined;
}

export function defaultIngress(object: MutableRecord & KubeObject, classes: readonly KubeObject[]): void {
  if (hasClass(object)) return;
  const defaults = defaultIngressClasses(classes);
  if (defaults.length !== 1) return;
  const spec = isRecord(object['spec']) ? object['spec'] : {};
  object['spec'] = spec;
  spec['ingressClassName'] = defaults[0];
}

/**
 * The 403 Forbidden the API server answers when a class-less Ingress is created while more than one IngressClass
 * is marked default; null when the Ingress can be defaulted (or names its class).
 */
export function defaultIngressClassRefusal(entry: KindEntry, object: KubeObject, classes: readonly KubeObject[]): KubeStatus | null {
  if (object.kind !== 'Ingress' || hasClass(object)) return null;
  const count = defaultIngressClasses(classes).length;
  if (count <= 1) return null;
  const resource = entry.group === '' ? entry.plural : `${entry.plural}.${entry.group}`;
  return kubeStatus(
    'Forbidden',
    `${resource} ${JSON.stringify(object.metadata.name)} is forbidden: ${count} default IngressClasses were found, only 1 allowed`,
    {
      name: object.metadata.name,
      kind: entry.plural,
    },
  );
}
