/**
 * The OpenAPI documents of the served kinds: one v3 document per group version (what `kubectl explain` reads, and
 * where kubectl looks for the `fieldValidation` query parameter before it leaves validation of `apply` and
 * `create` to the server), the v3 index that lists them with a content hash, and one v2 (Swagger) document. Pure:
 * built from the kind registry and the definitions table.
 */
import { createHash } from 'node:crypto';
import type { KindEntry } from '../../k8s/kind-entry.ts';
import type { GroupVersion } from '../discovery/discovery-documents.ts';
import { DEFINITIONS } from './openapi-definitions.ts';
import { withRefPrefix } from './schema-builders.ts';

const INFO = { title: 'edgeway', version: 'v1.32.0' };

/** Where a group version's v3 document lives, relative to /openapi/v3/: `api/v1`, `apis/apps/v1`. */
export function v3Key(gv: { readonly group: string; readonly version: string }): string {
  return gv.group === '' ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

function definitionName(entry: KindEntry): string | undefined {
  for (const [name, schema] of Object.entries(DEFINITIONS)) {
    const gvk = schema['x-kubernetes-group-version-kind'] as readonly { group: string; version: string; kind: string }[] | undefined;
    if (gvk?.some((g) => g.group === entry.group && g.version === entry.version && g.kind === entry.kind)) return name;
  }
  return undefined;
}

const QUERY_PARAMETERS = [
  { name: 'dryRun', description: 'All: validate, default and admit the change without storing it.' },
  { name: 'fieldManager', description: 'The name of the actor making the change, for field ownership.' },
  { name: 'fieldValidation', description: 'Ignore, Warn or Strict: what to do with unknown or duplicate fields.' },
  { name: 'force', description: 'Server-side apply: take over fields owned by other managers.' },
];

/** The object path and its operations for one kind, tagged with the kind (kubectl matches operations by it). */
function pathsOf(entry: KindEntry, refPrefix: string): Record<string, unknown> {
  const base = entry.group === '' ? `/api/${entry.version}` : `/apis/${entry.group}/${entry.version}`;
  const path = entry.namespaced ? `${base}/namespaces/{namespace}/${entry.plural}/{name}` : `${base}/${entry.plural}/{name}`;
  const name = definitionName(entry);
  const gvk = { group: entry.group, version: entry.version, kind: entry.kind };
  const content = name === undefined ? {} : { 'application/json': { schema: { $ref: refPrefix + name } } };
  const operation = (action: string, withQuery: boolean): Record<string, unknown> => ({
    operationId: `${action}${entry.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    parameters: withQuery ? QUERY_PARAMETERS.map((p) => ({ ...p, in: 'query', schema: { type: 'string', uniqueItems: true } })) : [],
    responses: { '200': { description: 'OK', content } },
  });
  const pathParameters = [
    { name: 'name', in: 'path', required: true, description: `The name of the ${entry.kind}.`, schema: { type: 'string' } },
    ...(entry.namespaced ? [{ name: 'namespace', in: 'path', required: true, description: 'The namespace.', schema: { type: 'string' } }] : []),
  ];
  return {
    [path]: {
      get: operation('get', false),
      put: operation('put', true),
      patch: operation('patch', true),
      delete: operation('delete', true),
      parameters: pathParameters,
    },
  };
}

/** The v3 document of one group version. */
export function v3Document(gv: GroupVersion): Record<string, unknown> {
  const prefix = '#/components/schemas/';
  const paths: Record<string, unknown> = {};
  for (const entry of gv.kinds) Object.assign(paths, pathsOf(entry, prefix));
  return { openapi: '3.0.0', info: INFO, paths, components: { schemas: withRefPrefix(DEFINITIONS, prefix) } };
}

/** The v2 document: every definition, no paths (kubectl reads definitions by their group-version-kind). */
export function v2Document(): Record<string, unknown> {
  return { swagger: '2.0', info: INFO, paths: {}, definitions: withRefPrefix(DEFINITIONS, '#/definitions/') };
}

/** A short content hash for the v3 index, so clients can cache a document until it changes. */
export function contentHash(body: string): string {
  return createHash('sha512').update(body).digest('hex').slice(0, 64).toUpperCase();
}
