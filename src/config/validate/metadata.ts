/**
 * Rules shared by every kind: object names, namespaces, labels, annotations and label selectors, as the API server
 * checks them in ObjectMeta and in selectors.
 */
import type { FieldPath, Report } from './report.ts';
import { dns1035Label, dns1123Label, dns1123Subdomain, labelValue, qualifiedName, type Rule } from './names.ts';
import { alternatives, check, child, isAbsent, list, mapping, string } from './values.ts';

/** How a kind's `metadata.name` is checked. */
export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label';

const NAME_RULES: Readonly<Record<NameRule, Rule>> = {
  'dns1123-subdomain': dns1123Subdomain,
  'dns1123-label': dns1123Label,
  'dns1035-label': dns1035Label,
};

/** The API server's cap on the total size of an object's annotations. */
const MAX_ANNOTATION_BYTES = 256 * 1024;

export function validateMetadata(r: Report, metadata: unknown, nameRule: NameRule): void {
  const path = ['metadata'];
  check(r, string(r, child(metadata, 'name'), [...path, 'name']), [...path, 'name'], NAME_RULES[nameRule]);
  check(r, string(r, child(metadata, 'namespace'), [...path, 'namespace']), [...path, 'namespace'], dns1123Label);
  validateLabels(r, child(metadata, 'labels'), [...path, 'labels']);
  validateAnnotations(r, child(metadata, 'annotations'), [...path, 'annotations']);
}

/** A map of label keys to label values (metadata.labels, a Service selector, matchLabels). */
export function validateLabels(r: Report, value: unknown, path: FieldPath): void {
  const labels = mapping(r, value, path);
  if (labels === undefined) return;
  for (const [key, v] of Object.entries(labels)) {
    check(r, key, [...path, key], qualifiedName);
    check(r, string(r, v, [...path, key]), [...path, key], labelValue);
    if (isAbsent(v)) r.error('EW_FIELD_TYPE', [...path, key], 'must be a string label value; write "" for an empty value');
  }
}

export function validateAnnotations(r: Report, value: unknown, path: FieldPath): void {
  const annotations = mapping(r, value, path);
  if (annotations === undefined) return;
  let bytes = 0;
  for (const [key, v] of Object.entries(annotations)) {
    check(r, key, [...path, key], qualifiedName);
    const text = string(r, v, [...path, key]);
    bytes += Buffer.byteLength(key) + Buffer.byteLength(text ?? '');
  }
  if (bytes > MAX_ANNOTATION_BYTES) {
    r.error('EW_FIELD_INVALID', path, `are ${bytes} bytes in total; the API server allows at most ${MAX_ANNOTATION_BYTES}`);
  }
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** A metav1.LabelSelector (Deployment spec.selector). */
export function validateLabelSelector(r: Report, value: unknown, path: FieldPath): void {
  const selector = mapping(r, value, path);
  if (selector === undefined) return;
  validateLabels(r, selector['matchLabels'], [...path, 'matchLabels']);
  list(r, selector['matchExpressions'], [...path, 'matchExpressions']).forEach((expr, i) => {
    const at = [...path, 'matchExpressions', i];
    const key = string(r, child(expr, 'key'), [...at, 'key']);
    if (key === undefined) r.error('EW_FIELD_REQUIRED', [...at, 'key'], 'is required: name the label key to match');
    check(r, key, [...at, 'key'], qualifiedName);
    const operator = string(r, child(expr, 'operator'), [...at, 'operator']);
    if (operator === undefined) {
      r.error('EW_FIELD_REQUIRED', [...at, 'operator'], `is required: use ${alternatives(OPERATORS)}`);
      return;
    }
    if (!(OPERATORS as readonly string[]).includes(operator)) {
      r.error('EW_FIELD_INVALID', [...at, 'operator'], `${JSON.stringify(operator)} is not an operator: use ${alternatives(OPERATORS)}`);
      return;
    }
    const values = list(r, child(expr, 'values'), [...at, 'values']);
    const needsValues = operator === 'In' || operator === 'NotIn';
    if (needsValues && values.length === 0) {
      r.error('EW_FIELD_REQUIRED', [...at, 'values'], `must list at least one value for operator ${operator}`);
    }
    if (!needsValues && values.length > 0) {
      r.error('EW_FIELD_INVALID', [...at, 'values'], `must be empty for operator ${operator}`);
    }
    values.forEach((v, j) => check(r, string(r, v, [...at, 'values', j]), [...at, 'values', j], labelValue));
  });
}
