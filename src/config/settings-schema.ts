/**
 * Checks the EdgewaySettings document against schema/edgeway-settings.schema.json with ajv. The schema is the
 * published contract (editors complete from it), so the very same file is what validates at runtime; ajv's errors are
 * mapped to diagnostics at the offending field's line and column. Unknown settings are warnings, as unknown fields on
 * Kubernetes objects are; everything else is an error, and the caller falls back to the default for that field.
 *
 * The schema is also where every default lives (its `default` keywords): schemaDefault() reads them, so the document
 * reader, the defaults, the generated types (settings-spec.ts) and docs/configuration.md all come from this one file.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { formatFieldPath, type Diagnostic } from './diagnostic.ts';
import type { LoadedObject } from './loaded-object.ts';
import { objectRef } from '../k8s/types.ts';
import type { FieldPath } from './yaml-source.ts';

export interface SchemaCheck {
  readonly diagnostics: readonly Diagnostic[];
  /** Fields with errors; the settings under them keep their defaults. */
  readonly invalid: readonly FieldPath[];
}

/** The parts of a JSON Schema node that edgeway reads besides validating with it. */
export interface SchemaNode {
  readonly type?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly oneOf?: readonly SchemaNode[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
}

let loaded: SchemaNode | undefined;
let compiled: ValidateFunction | undefined;

/** The schema as shipped beside the code, read once. */
export function settingsSchema(): SchemaNode {
  loaded ??= JSON.parse(readFileSync(new URL('../../schema/edgeway-settings.schema.json', import.meta.url), 'utf8')) as SchemaNode;
  return loaded;
}

/** Compiled on first use. */
function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, verbose: true, strict: true }).compile(settingsSchema());
  return compiled;
}

/** The schema node describing a field of the document (`['spec', 'upstream', 'connections']`); numbers step into lists. */
export function schemaAt(path: FieldPath): SchemaNode | undefined {
  let node: SchemaNode | undefined = settingsSchema();
  for (const segment of path) node = typeof segment === 'number' ? node?.items : node?.properties?.[segment];
  return node;
}

/** The schema's `default` for a field, or undefined when it has none (the setting is then off or unset). */
export function schemaDefault(path: FieldPath): unknown {
  return schemaAt(path)?.default;
}

export function checkSettingsSchema(doc: LoadedObject): SchemaCheck {
  const validate = validator();
  if (validate(doc.object)) return { diagnostics: [], invalid: [] };
  const errors = validate.errors ?? [];
  // A failed oneOf also reports each branch's error at the same place; keep only the oneOf, which says it all.
  const oneOfAt = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const diagnostics: Diagnostic[] = [];
  const invalid: FieldPath[] = [];
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && oneOfAt.has(e.instancePath)) continue;
    const base = instancePath(doc.object, e.instancePath);
    const { path, message, unknown } = describeError(e, base);
    if (!unknown) invalid.push(path);
    const field = formatFieldPath(path);
    diagnostics.push({
      severity: unknown ? 'warning' : 'error',
      code: unknown ? 'EW_FIELD_UNKNOWN' : 'EW_SETTINGS_INVALID',
      message,
      position: doc.locate(path),
      object: objectRef(doc.object),
      ...(field === '' ? {} : { field }),
    });
  }
  return { diagnostics, invalid };
}

function describeError(e: ErrorObject, path: FieldPath): { path: FieldPath; message: string; unknown: boolean } {
  const schema = e.parentSchema as { description?: string; properties?: Record<string, { description?: string }> } | undefined;
  const hint = schema?.description === undefined ? '' : `: ${schema.description}`;
  const params = e.params as Record<string, unknown>;
  const shown = JSON.stringify(e.data);
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const known = Object.keys(schema?.properties ?? {}).join(', ');
      return { path: [...path, name], message: `is not a known setting and is ignored; known settings here: ${known}`, unknown: true };
    }
    case 'required': {
      const name = String(params['missingProperty']);
      const about = schema?.properties?.[name]?.description;
      return { path: [...path, name], message: `is required${about === undefined ? '' : `: ${about}`}`, unknown: false };
    }
    case 'type':
      return { path, message: `must be ${article(String(params['type']))}, not ${shown}${hint}`, unknown: false };
    case 'enum':
      return {
        path,
        message: `${shown} is not supported: use one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        unknown: false,
      };
    case 'const':
      return { path, message: `must be ${JSON.stringify(params['allowedValue'])}, not ${shown}`, unknown: false };
    case 'pattern':
    case 'oneOf':
      return { path, message: `${shown} is not valid${hint}`, unknown: false };
    default:
      return { path, message: `${shown} is not valid (${e.message ?? e.keyword})${hint}`, unknown: false };
  }
}

function article(type: string): string {
  return type === 'integer' || type === 'object' || type === 'array' ? `an ${type}` : `a ${type}`;
}

/** `/spec/trustedProxies/0` → `['spec', 'trustedProxies', 0]`, numbers only where the data holds a list. */
function instancePath(data: unknown, pointer: string): FieldPath {
  const out: (string | number)[] = [];
  let current = data;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const key = Array.isArray(current) ? Number(segment) : segment;
    out.push(key);
    current = typeof current === 'object' && current !== null ? (current as Record<string | number, unknown>)[key] : undefined;
  }
  return out;
}
