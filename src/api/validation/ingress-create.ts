/**
 * A rule the API server applies only when an Ingress is created: the legacy `kubernetes.io/ingress.class`
 * annotation and `spec.ingressClassName` may both be given only when they name the same class. edgeway's file
 * validation accepts both (the field wins, as in a cluster where the object already exists), so the API checks it
 * here on create, with the API server's field path and wording.
 */
import type { Diagnostic } from '../../config/diagnostic.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { objectRef } from '../../k8s/types.ts';
import { INGRESS_CLASS_ANNOTATION } from '../../routing/ingress-class.ts';

/** Error diagnostics for creating `object` through the API beyond what validateObject reports. */
export function ingressCreateDiagnostics(object: KubeObject): Diagnostic[] {
  if (object.kind !== 'Ingress') return [];
  const annotation = object.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  const spec = object['spec'];
  const className = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>)['ingressClassName'] : undefined;
  if (annotation === undefined || typeof className !== 'string' || annotation === className) return [];
  return [
    {
      severity: 'error',
      code: 'EW_FIELD_INVALID',
      object: objectRef(object),
      field: `annotations.${INGRESS_CLASS_ANNOTATION}`,
      message: `${JSON.stringify(annotation)} must match \`ingressClassName\` when both are specified`,
    },
  ];
}
