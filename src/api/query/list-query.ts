/**
 * The query of a list or watch request, parsed once: label and field selectors, `limit` and `continue`,
 * `resourceVersion` with `resourceVersionMatch`, and the watch options (`allowWatchBookmarks`, `timeoutSeconds`).
 * A bad value is a 400 Status naming it.
 *
 * `continue` tokens are opaque to clients: here base64url JSON of the list's resourceVersion and the key of the last
 * object sent; the next page starts after that key in the serving view (sorted by namespace and name).
 */
import { matchesLabelSelector } from '../../controllers/label-selector.ts';
import type { LabelSelector, KubeObject } from '../../k8s/types.ts';
import { kubeStatus, type KubeStatus } from '../kube-status.ts';
import { parseLabelSelector } from './label-selector-query.ts';
import { matchesFieldSelector, parseFieldSelector, type FieldSelector } from './field-selector.ts';

export interface ListQuery {
  readonly labels: LabelSelector | null;
  readonly fields: FieldSelector | null;
  /** 0: no limit. */
  readonly limit: number;
  /** Where the page starts: after this `namespace/name`. */
  readonly after: string | null;
  readonly watch: boolean;
  /** The resourceVersion asked for; null when not given. */
  readonly resourceVersion: string | null;
  /** `Exact`: the list must be at exactly resourceVersion. */
  readonly exact: boolean;
  readonly bookmarks: boolean;
  /** null: the server's default. */
  readonly timeoutSeconds: number | null;
}

export function parseListQuery(kind: string, query: URLSearchParams): ListQuery | KubeStatus {
  const labelText = query.get('labelSelector');
  const labels = labelText === null || labelText === '' ? null : parseLabelSelector(labelText);
  if (labels !== null && 'error' in labels) return kubeStatus('BadRequest', `unable to parse requirement: ${labels.error}`);
  const fieldText = query.get('fieldSelector');
  const fields = fieldText === null || fieldText === '' ? null : parseFieldSelector(kind, fieldText);
  if (fields !== null && 'error' in fields) return kubeStatus('BadRequest', fields.error);
  const limit = whole(query.get('limit'));
  if (limit === null) return kubeStatus('BadRequest', `limit: must be a non-negative integer, not ${JSON.stringify(query.get('limit'))}`);
  const timeout = whole(query.get('timeoutSeconds'));
  if (timeout === null) return kubeStatus('BadRequest', `timeoutSeconds: must be a non-negative integer, not ${JSON.stringify(query.get('timeoutSeconds'))}`);
  let after: string | null = null;
  const token = query.get('continue');
  if (token !== null && token !== '') {
    after = decodeContinue(token);
    if (after === null) return kubeStatus('BadRequest', 'continue key is not valid: the token was not issued by this server; list again without it');
  }
  const match = query.get('resourceVersionMatch');
  if (match !== null && match !== '') {
    if (match !== 'Exact' && match !== 'NotOlderThan')
      return kubeStatus('BadRequest', `resourceVersionMatch: Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan"`);
    if ((query.get('resourceVersion') ?? '') === '')
      return kubeStatus('BadRequest', 'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  }
  const watch = query.get('watch');
  return {
    labels,
    fields,
    limit,
    after,
    watch: watch === '1' || watch === 'true',
    resourceVersion: query.get('resourceVersion'),
    exact: match === 'Exact',
    bookmarks: query.get('allowWatchBookmarks') === 'true' || query.get('allowWatchBookmarks') === '1',
    timeoutSeconds: query.has('timeoutSeconds') ? timeout : null,
  };
}

export function matchesQuery(object: KubeObject, q: ListQuery): boolean {
  return (q.labels === null || matchesLabelSelector(object.metadata.labels, q.labels)) && (q.fields === null || matchesFieldSelector(object, q.fields));
}

export function encodeContinue(resourceVersion: number, object: KubeObject): string {
  return Buffer.from(JSON.stringify({ rv: resourceVersion, start: positionOf(object) })).toString('base64url');
}

/** `namespace/name`: the order the view lists objects in. */
export function positionOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

function decodeContinue(token: string): string | null {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    return typeof v.start === 'string' ? v.start : null;
  } catch {
    return null;
  }
}

/** A whole number ≥ 0 from a query value; 0 when absent, null when malformed. */
function whole(text: string | null): number | null {
  if (text === null || text === '') return 0;
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}
