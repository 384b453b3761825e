/** networking.k8s.io/v1 IngressClass: cluster-scoped; CONTROLLER and PARAMETERS as kubectl prints them. */
import { kindEntry } from '../kind-entry.ts';
import { AGE_COLUMN, computed, NAME_COLUMN, path } from '../printer-column.ts';
import type { IngressClass } from '../types.ts';

export const INGRESS_CLASS = kindEntry({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  plural: 'ingressclasses',
  shortNames: ['ingclass'],
  namespaced: false,
  printerColumns: [NAME_COLUMN, path('Controller', '.spec.controller'), computed('Parameters', (o) => parameters(o as IngressClass)), AGE_COLUMN],
});

function parameters(c: IngressClass): string {
  const p = c.spec.parameters as { apiGroup?: string; kind?: string; name?: string } | undefined;
  if (p?.kind === undefined || p.name === undefined) return '<none>';
  return p.apiGroup === undefined || p.apiGroup === '' ? `${p.kind}/${p.name}` : `${p.kind}.${p.apiGroup}/${p.name}`;
}
