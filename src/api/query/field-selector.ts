/**
 * The `?fieldSelector=` query of lists and watches: `field=value`, `field==value`, `field!=value`, comma-separated
 * and ANDed, over the fields the API server indexes for the kind (`metadata.name` and `metadata.namespace` for all;
 * `spec.nodeName`, `status.phase`, ... for Pods). Any other field is refused with the API server's 400 wording
 * ("field label not supported: ..."), never ignored: a selector silently dropped would list too much.
 */
import type { KubeObject } from '../../k8s/types.ts';

export interface FieldRequirement {
  readonly path: readonly string[];
  readonly field: string;
  readonly value: string;
  readonly equal: boolean;
}

export type FieldSelector = readonly FieldRequirement[];

const COMMON = ['metadata.name', 'metadata.namespace'];

/** The selectable fields beyond the common ones, per kind, as the API server's field label conversions list them. */
const BY_KIND: Readonly<Record<string, readonly string[]>> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Node: ['spec.unschedulable'],
  Namespace: ['status.phase'],
  Secret: ['type'],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
};

export function parseFieldSelector(kind: string, text: string): FieldSelector | { error: string } {
  const out: FieldRequirement[] = [];
  for (const raw of text.split(',')) {
    const term = raw.trim();
    if (term === '') continue;
    const at = term.indexOf('=');
    if (at <= 0) return { error: `invalid field selector: ${JSON.stringify(term)}: use field=value or field!=value` };
    const notEqual = term[at - 1] === '!';
    const field = term.slice(0, notEqual ? at - 1 : at).trim();
    const value = term.slice(term[at + 1] === '=' ? at + 2 : at + 1).trim();
    if (!COMMON.includes(field) && !(BY_KIND[kind] ?? []).includes(field)) return { error: `field label not supported: ${field}` };
    out.push({ path: field.split('.'), field, value, equal: !notEqual });
  }
  return out;
}

export function matchesFieldSelector(object: KubeObject, selector: FieldSelector): boolean {
  for (let i = 0; i < selector.length; i++) {
    const r = selector[i]!;
    let at: unknown = object;
    for (const step of r.path) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[step] : undefined;
    const text = at === undefined || at === null ? '' : typeof at === 'object' ? JSON.stringify(at) : String(at as string | number | boolean);
    if ((text === r.value) !== r.equal) return false;
  }
  return true;
}
