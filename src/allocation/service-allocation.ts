/**
 * MetalLB's `IPAddressPool.spec.serviceAllocation`: which Services a pool is for (namespaces by name or label,
 * Services by label) and its priority among the pools that are. A pool without it is for every Service. When
 * several pools may serve a Service, those with a priority come first, lower numbers first; a priority of 0 or none
 * comes last, as MetalLB documents it. Where MetalLB picks among equal priorities at random, edgeway takes them in
 * name order so the same objects always get the same addresses. Pure.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import { matchesLabelSelector } from '../controllers/label-selector.ts';
import type { LabelSelector, Service } from '../k8s/types.ts';

export interface ServiceAllocationRule {
  /** 0: none given (last). */
  readonly priority: number;
  readonly namespaces: readonly string[];
  readonly namespaceSelectors: readonly LabelSelector[];
  readonly serviceSelectors: readonly LabelSelector[];
}

export type NamespaceLabels = (namespace: string) => Readonly<Record<string, string>> | undefined;

/** Reads spec.serviceAllocation; a malformed part is reported and makes the pool serve no Service automatically. */
export function readServiceAllocation(
  value: unknown,
  report: (path: readonly (string | number)[], message: string) => Diagnostic,
): { readonly rule: ServiceAllocationRule | undefined; readonly diagnostics: readonly Diagnostic[] } {
  if (value === undefined || value === null) return { rule: undefined, diagnostics: [] };
  const at = ['spec', 'serviceAllocation'];
  if (typeof value !== 'object' || Array.isArray(value)) return { rule: undefined, diagnostics: [report(at, 'serviceAllocation must be an object')] };
  const v = value as Record<string, unknown>;
  const diagnostics: Diagnostic[] = [];
  const priority = v.priority ?? 0;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0)
    diagnostics.push(report([...at, 'priority'], 'priority must be a whole number, 0 or more (lower numbers are tried first)'));
  const list = <T>(name: string, check: (x: unknown) => boolean, what: string): T[] => {
    const raw = v[name];
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw) || !raw.every(check)) {
      diagnostics.push(report([...at, name], `${name} must be a list of ${what}`));
      return [];
    }
    return raw as T[];
  };
  const isSelector = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
  const rule: ServiceAllocationRule = {
    priority: typeof priority === 'number' && Number.isInteger(priority) && priority > 0 ? priority : 0,
    namespaces: list<string>('namespaces', (x) => typeof x === 'string', 'namespace names'),
    namespaceSelectors: list<LabelSelector>('namespaceSelectors', isSelector, 'label selectors'),
    serviceSelectors: list<LabelSelector>('serviceSelectors', isSelector, 'label selectors'),
  };
  return { rule, diagnostics };
}

/** Whether a pool with this rule (none: every Service) may give `service` an address. */
export function poolServes(rule: ServiceAllocationRule | undefined, service: Service, namespaceLabels: NamespaceLabels): boolean {
  if (rule === undefined) return true;
  const namespace = service.metadata.namespace ?? 'default';
  if (rule.namespaces.length > 0 || rule.namespaceSelectors.length > 0) {
    const labels = namespaceLabels(namespace);
    if (!rule.namespaces.includes(namespace) && !rule.namespaceSelectors.some((s) => matchesLabelSelector(labels, s))) return false;
  }
  if (rule.serviceSelectors.length > 0 && !rule.serviceSelectors.some((s) => matchesLabelSelector(service.metadata.labels, s))) return false;
  return true;
}

/** Sorting key: prioritised pools by priority, then the rest; ties keep name order (sort is stable). */
export function priorityRank(rule: ServiceAllocationRule | undefined): number {
  return rule === undefined || rule.priority === 0 ? Number.POSITIVE_INFINITY : rule.priority;
}
