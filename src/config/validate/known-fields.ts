/**
 * Unknown-field warnings. A shape lists the fields a kind defines, nested as the object is; `null` marks a field whose
 * content is free-form or not checked here (label maps, data, specs owned by other validators). Lists need no marker:
 * a shape applied to a list applies to each item. Typos such as `pathtype` are the usual cause, so the warning names
 * the fields that would be accepted there.
 */
import type { FieldPath, Report } from './report.ts';
import { isMapping } from './values.ts';

export interface Shape {
  readonly [field: string]: Shape | null;
}

export function reportUnknownFields(r: Report, value: unknown, shape: Shape, path: FieldPath): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => reportUnknownFields(r, item, shape, [...path, i]));
    return;
  }
  if (!isMapping(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (!Object.hasOwn(shape, key)) {
      const known = Object.keys(shape).join(', ');
      r.warning('EW_FIELD_UNKNOWN', [...path, key], `is not a known field here and is ignored; known fields: ${known}`);
      continue;
    }
    const inner = shape[key];
    if (inner !== null && inner !== undefined) reportUnknownFields(r, child, inner, [...path, key]);
  }
}

/** ObjectMeta: the fields a manifest may carry, including the ones the server sets (they are ignored, not errors). */
export const METADATA_SHAPE: Shape = {
  name: null,
  generateName: null,
  namespace: null,
  labels: null,
  annotations: null,
  uid: null,
  resourceVersion: null,
  generation: null,
  creationTimestamp: null,
  deletionTimestamp: null,
  deletionGracePeriodSeconds: null,
  ownerReferences: null,
  finalizers: null,
  managedFields: null,
  selfLink: null,
};

export const LABEL_SELECTOR_SHAPE: Shape = {
  matchLabels: null,
  matchExpressions: { key: null, operator: null, values: null },
};
