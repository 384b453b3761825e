/**
 * Label selector matching, as the API server defines it. Two shapes exist: a Service's `spec.selector` (a plain map,
 * every pair must match) and the `LabelSelector` of Deployments and friends (`matchLabels` plus `matchExpressions`,
 * all ANDed).
 *
 * Neither function decides what an *empty* selector means for its caller: here an empty selector matches every
 * label set (the label-selector rule), while a Service with an empty `spec.selector` is a selectorless Service and
 * must not reach matchesSelector at all (see resolve-backend.ts).
 */
import type { LabelSelector, LabelSelectorRequirement } from '../k8s/types.ts';

type Labels = Readonly<Record<string, string>> | undefined;

/** True when every key/value pair of `selector` is present in `labels`. */
export function matchesSelector(labels: Labels, selector: Readonly<Record<string, string>>): boolean {
  for (const key of Object.keys(selector)) {
    if (labels === undefined || !Object.hasOwn(labels, key) || labels[key] !== selector[key]) return false;
  }
  return true;
}

/** True when `labels` satisfy `matchLabels` and every requirement of `matchExpressions`. */
export function matchesLabelSelector(labels: Labels, selector: Readonly<LabelSelector>): boolean {
  if (selector.matchLabels !== undefined && !matchesSelector(labels, selector.matchLabels)) return false;
  for (const requirement of selector.matchExpressions ?? []) {
    if (!matchesRequirement(labels, requirement)) return false;
  }
  return true;
}

function matchesRequirement(labels: Labels, requirement: Readonly<LabelSelectorRequirement>): boolean {
  const present = labels !== undefined && Object.hasOwn(labels, requirement.key);
  const value = present ? labels[requirement.key] : undefined;
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      // As in Kubernetes: a missing key satisfies NotIn.
      return value === undefined || !values.includes(value);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      // Validation rejects other operators; an unknown one must never widen a selection.
      return false;
  }
}
