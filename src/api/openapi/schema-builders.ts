/**
 * Small constructors for the OpenAPI schemas of openapi-definitions.ts, so the table there reads as a list of
 * fields with edgeway's own descriptions. A reference is written as `{ $ref: REF + name }` and the prefix is filled
 * in per document (`#/definitions/` for v2, `#/components/schemas/` for v3) by `withRefPrefix`.
 */

export type Schema = Readonly<Record<string, unknown>>;

export const REF = '\0ref:';

export const str = (description: string, values?: readonly string[]): Schema => ({
  type: 'string',
  description,
  ...(values === undefined ? {} : { enum: values }),
});
export const int = (description: string): Schema => ({ type: 'integer', format: 'int32', description });
export const bool = (description: string): Schema => ({ type: 'boolean', description });
export const time = (description: string): Schema => ({ type: 'string', format: 'date-time', description });
export const strMap = (description: string): Schema => ({ type: 'object', description, additionalProperties: { type: 'string', default: '' } });
export const intOrString = (description: string): Schema => ({ type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true, description });
export const ref = (name: string, description?: string): Schema =>
  description === undefined ? { $ref: REF + name } : { description, allOf: [{ $ref: REF + name }] };
/** Any object: the fields are not described here (yet), and none is refused. */
export const open = (description: string): Schema => ({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });

/** A list; `mergeKeys` are the fields that identify an item (a map list, merged item by item). */
export function list(items: Schema, description: string, mergeKeys?: readonly string[]): Schema {
  if (mergeKeys === undefined) return { type: 'array', description, items, 'x-kubernetes-list-type': 'atomic' };
  return {
    type: 'array',
    description,
    items,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': mergeKeys,
    'x-kubernetes-patch-merge-key': mergeKeys[0],
    'x-kubernetes-patch-strategy': 'merge',
  };
}

export function object(description: string, properties: Readonly<Record<string, Schema>>, required?: readonly string[]): Schema {
  return { type: 'object', description, properties, ...(required === undefined ? {} : { required }) };
}

/** A top-level kind: apiVersion, kind, metadata plus `fields`, tagged with its group, version and kind. */
export function kindSchema(group: string, version: string, kind: string, description: string, fields: Readonly<Record<string, Schema>>): Schema {
  return {
    type: 'object',
    description,
    properties: {
      apiVersion: str('The versioned schema of this object, for example v1 or networking.k8s.io/v1.'),
      kind: str('The type of this object, in CamelCase.'),
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'Name, namespace, labels, annotations and the identity the server keeps.'),
      ...fields,
    },
    'x-kubernetes-group-version-kind': [{ group, version, kind }],
  };
}

/** `value` with every reference placeholder replaced by `prefix` (a deep copy; the input is left alone). */
export function withRefPrefix(value: unknown, prefix: string): unknown {
  if (typeof value === 'string') return value.startsWith(REF) ? prefix + value.slice(REF.length) : value;
  if (Array.isArray(value)) return value.map((v) => withRefPrefix(v, prefix));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = withRefPrefix(v, prefix);
    return out;
  }
  return value;
}
