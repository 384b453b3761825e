/**
 * Namespace: accepted with its shape checked only; edgeway does not read namespaces beyond their names.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import type { Shape } from './known-fields.ts';
import { Report } from './report.ts';
import { mapping } from './values.ts';

export const NAMESPACE_SHAPE: Shape = { spec: { finalizers: null }, status: null };

export function validateNamespace(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  mapping(r, source.object['spec'], ['spec']);
  return r.diagnostics;
}
