/**
 * IngressClass: `spec.controller` names the controller that serves Ingresses of the class, as a domain-prefixed
 * path (edgeway answers to `settings.controllerName`).
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import type { Shape } from './known-fields.ts';
import { domainPrefixedPath } from './names.ts';
import { Report } from './report.ts';
import { check, child, mapping, string } from './values.ts';

export const INGRESS_CLASS_SHAPE: Shape = {
  spec: { controller: null, parameters: { apiGroup: null, kind: null, name: null, namespace: null, scope: null } },
};

export function validateIngressClass(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  const spec = mapping(r, source.object['spec'], ['spec']);
  const controller = string(r, child(spec, 'controller'), ['spec', 'controller']);
  if (controller === undefined || controller === '') {
    r.error('EW_FIELD_REQUIRED', ['spec', 'controller'], 'is required: the controller serving this class, e.g. "edgeway.io/ingress-controller"');
  }
  check(r, controller || undefined, ['spec', 'controller'], domainPrefixedPath);
  return r.diagnostics;
}
