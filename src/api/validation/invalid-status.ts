/**
 * Placeholder for the API server's 422 Invalid Status (owned by the api-patch work, which replaces this file):
 * `Kind "name" is invalid: field: message`, several joined inside `[...]`, one FieldValueInvalid cause each.
 */
import type { Diagnostic } from '../../config/diagnostic.ts';
import type { KindEntry } from '../../k8s/kind-entry.ts';
import { kubeStatus, type KubeStatus, type StatusCause } from '../kube-status.ts';

/** The 422 Invalid Status for one object's error diagnostics (Diagnostic.field is `spec.ports[0].nodePort`). */
export function invalidStatus(entry: KindEntry, name: string, diagnostics: readonly Diagnostic[]): KubeStatus {
  const causes: StatusCause[] = diagnostics.map((d) => ({ reason: 'FieldValueInvalid', message: d.message, ...(d.field === undefined ? {} : { field: d.field }) }));
  const parts = causes.map((c) => (c.field === undefined ? c.message : `${c.field}: ${c.message}`));
  const summary = parts.length === 1 ? parts[0]! : `[${parts.join(', ')}]`;
  return kubeStatus('Invalid', `${entry.kind} ${JSON.stringify(name)} is invalid: ${summary}`, { name, kind: entry.kind, causes });
}
