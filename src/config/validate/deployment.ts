/**
 * Deployment (apps/v1): a selector that is present, not empty and matches the pod template's labels — the API
 * server rejects the object otherwise — plus the template's pod spec.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import { LABEL_SELECTOR_SHAPE, METADATA_SHAPE, type Shape } from './known-fields.ts';
import { validateLabelSelector, validateLabels } from './metadata.ts';
import { POD_SPEC_SHAPE, validatePodSpec } from './pod-spec.ts';
import { Report } from './report.ts';
import { child, integer, isMapping, mapping, type Mapping } from './values.ts';

export const DEPLOYMENT_SHAPE: Shape = {
  spec: {
    replicas: null,
    selector: LABEL_SELECTOR_SHAPE,
    template: { metadata: METADATA_SHAPE, spec: POD_SPEC_SHAPE },
    strategy: null,
    minReadySeconds: null,
    revisionHistoryLimit: null,
    paused: null,
    progressDeadlineSeconds: null,
  },
  status: null,
};

export function validateDeployment(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  const spec = mapping(r, source.object['spec'], ['spec']);
  const replicas = integer(r, child(spec, 'replicas'), ['spec', 'replicas']);
  if (replicas !== undefined && replicas < 0) r.error('EW_FIELD_INVALID', ['spec', 'replicas'], `${replicas} is negative: use 0 or more`);

  const selector = child(spec, 'selector');
  const labelsPath = ['spec', 'template', 'metadata', 'labels'];
  const labels = child(child(child(spec, 'template'), 'metadata'), 'labels');
  validateLabels(r, labels, labelsPath);
  if (!isMapping(selector)) {
    if (selector === undefined || selector === null)
      r.error('EW_FIELD_REQUIRED', ['spec', 'selector'], 'is required: select the template\'s pods, e.g. "matchLabels: {app: web}"');
    else mapping(r, selector, ['spec', 'selector']);
  } else {
    validateLabelSelector(r, selector, ['spec', 'selector']);
    if (isEmptySelector(selector)) {
      r.error('EW_FIELD_INVALID', ['spec', 'selector'], 'is empty: it would select every pod; give matchLabels or matchExpressions');
    } else if (!selectorMatches(selector, isMapping(labels) ? labels : {})) {
      r.error(
        'EW_FIELD_INVALID',
        labelsPath,
        "do not match spec.selector: the template's labels must satisfy the selector, or the Deployment would not own its pods",
      );
    }
  }
  validatePodSpec(r, child(child(spec, 'template'), 'spec'), ['spec', 'template', 'spec']);
  return r.diagnostics;
}

function isEmptySelector(selector: Mapping): boolean {
  const labels = selector['matchLabels'];
  const exprs = selector['matchExpressions'];
  return !(isMapping(labels) && Object.keys(labels).length > 0) && !(Array.isArray(exprs) && exprs.length > 0);
}

/** Whether labels satisfy a label selector (pure; malformed parts were reported already and count as a mismatch). */
export function selectorMatches(selector: Mapping, labels: Mapping): boolean {
  const matchLabels = selector['matchLabels'];
  if (isMapping(matchLabels)) {
    for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  }
  const exprs = selector['matchExpressions'];
  if (!Array.isArray(exprs)) return true;
  return exprs.every((e: unknown) => {
    const key = child(e, 'key');
    const values = child(e, 'values');
    const list = Array.isArray(values) ? values : [];
    if (typeof key !== 'string') return false;
    const has = Object.hasOwn(labels, key);
    switch (child(e, 'operator')) {
      case 'In':
        return has && list.includes(labels[key]);
      case 'NotIn':
        return !has || !list.includes(labels[key]);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
}
