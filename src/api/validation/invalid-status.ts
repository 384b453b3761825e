/**
 * The 422 Invalid Status the API server answers when an object fails validation or admission: the message names
 * the object as `Kind[.group] "name" is invalid:` followed by its field errors (one bare, several inside `[...]`
 * joined by `, `), and details.causes list each error with its reason and field, which kubectl prints.
 */
import type { Diagnostic } from '../../config/diagnostic.ts';
import type { KindEntry } from '../../k8s/kind-entry.ts';
import { kubeStatus, type KubeStatus, type StatusCause } from '../kube-status.ts';
import { errorBody, errorText, fieldErrorOf } from './field-error.ts';

/** The 422 Invalid Status for one object's error diagnostics (Diagnostic.field is `spec.ports[0].nodePort`). */
export function invalidStatus(entry: KindEntry, name: string, diagnostics: readonly Diagnostic[]): KubeStatus {
  const errors = diagnostics.filter((d) => d.severity === 'error').map(fieldErrorOf);
  const causes: StatusCause[] = errors.map((e) => ({
    reason: e.type,
    message: errorBody(e),
    ...(e.field === '' ? {} : { field: e.field }),
  }));
  // The API server aggregates identical messages once.
  const texts = [...new Set(errors.map(errorText))];
  const summary = texts.length === 1 ? (texts[0] ?? '') : `[${texts.join(', ')}]`;
  return kubeStatus('Invalid', `${qualifiedKind(entry)} ${JSON.stringify(name)} is invalid: ${summary}`, {
    name,
    kind: entry.kind,
    causes,
  });
}

/** `Service`, or `Ingress.networking.k8s.io` for a kind outside the core group (GroupKind as the API server prints it). */
export function qualifiedKind(entry: KindEntry): string {
  return entry.group === '' ? entry.kind : `${entry.kind}.${entry.group}`;
}
