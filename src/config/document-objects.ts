/**
 * Turns parsed YAML documents into objects: expands `kind: List` into its items (each keeping its own positions),
 * checks that each is an object at all (a mapping with apiVersion, kind and metadata.name), and applies the
 * namespace default. The parsed value is copied, never edited, so positions stay true.
 */
import type { KubeObject } from '../k8s/types.ts';
import { CLUSTER_SCOPED_KINDS, NAMESPACED_KINDS } from '../k8s/kinds.ts';
import { objectRef } from '../k8s/types.ts';
import type { Diagnostic } from './diagnostic.ts';
import { API_ORIGIN, type LoadedObject } from './loaded-object.ts';
import { runSync, type Steps } from './steps.ts';
import type { SourceNode } from './yaml-source.ts';
import { yaml11StringProblems } from './yaml11-strings.ts';

export const SETTINGS_KIND = 'EdgewaySettings';

export interface DocumentObjects {
  readonly objects: readonly LoadedObject[];
  readonly diagnostics: readonly Diagnostic[];
  /** Documents or List items left out because they are not objects. */
  readonly malformed: number;
}

/** `api`: the document was written through the admin API (its objects' origin), not read from a configuration file. */
export function documentObjects(node: SourceNode, api = false): DocumentObjects {
  return runSync(documentObjectsSteps(node, api));
}

/** documentObjects as steps: yields after each List item, so a List of thousands gives the event loop turns. */
export function* documentObjectsSteps(node: SourceNode, api = false): Steps<DocumentObjects> {
  const objects: LoadedObject[] = [];
  const diagnostics: Diagnostic[] = [];
  let malformed = 0;
  function* visit(n: SourceNode): Steps<void> {
    const problem = malformation(n);
    if (problem !== undefined) {
      diagnostics.push(problem);
      malformed++;
      return;
    }
    const value = n.value as KubeObject;
    if (value.kind === 'List' && Array.isArray(value['items'])) {
      for (let i = 0; i < value['items'].length; i++) {
        const item = n.descend(['items', i]);
        if (item !== undefined) yield* visit(item);
        yield;
      }
      return;
    }
    const { object, warning } = withDefaults(value, n);
    // kubectl's YAML 1.1 would refuse the object: so is it here (yaml11-strings.ts).
    const typed = api ? [] : yaml11StringProblems(n, object.kind, objectRef(object));
    if (typed.length > 0) {
      diagnostics.push(...typed);
      malformed++;
      return;
    }
    if (warning !== undefined) diagnostics.push(warning);
    const { file, line, column } = n.position;
    objects.push({ object, position: n.position, origin: api ? API_ORIGIN : { kind: 'file', file, line, column }, locate: n.locate });
  }
  yield* visit(node);
  return { objects, diagnostics, malformed };
}

function malformation(n: SourceNode): Diagnostic | undefined {
  const v = n.value;
  const fail = (field: string | undefined, message: string, object?: string): Diagnostic => ({
    severity: 'error',
    code: 'EW_OBJECT_MALFORMED',
    message,
    position: field === undefined ? n.position : n.locate(field.split('.')),
    ...(object === undefined ? {} : { object }),
    ...(field === undefined ? {} : { field }),
  });
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    const what = Array.isArray(v) ? 'a list' : `the ${typeof v} ${JSON.stringify(v)}`;
    return fail(undefined, `this document is ${what}, not a Kubernetes object: each document must be a mapping with apiVersion, kind and metadata.name`);
  }
  const record = v as Record<string, unknown>;
  const kind = record['kind'];
  if (typeof kind !== 'string' || kind === '') return fail('kind', 'is required: every object needs a kind (e.g. "kind: Service")');
  if (kind === 'List') {
    if (!Array.isArray(record['items'])) return fail('items', 'must be a list of objects in a kind: List document', 'List');
    return undefined;
  }
  if (typeof record['apiVersion'] !== 'string' || record['apiVersion'] === '') {
    return fail('apiVersion', `is required: every object needs an apiVersion (e.g. "apiVersion: v1")`, kind);
  }
  if (kind === SETTINGS_KIND) return undefined; // metadata is optional on edgeway's own document
  const metadata = record['metadata'];
  const name = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)['name'] : undefined;
  if (typeof name !== 'string' || name === '') {
    return fail('metadata.name', `is required: give the ${kind} a name under metadata (generateName is not supported)`, kind);
  }
  return undefined;
}

function withDefaults(value: KubeObject, n: SourceNode): { object: KubeObject; warning?: Diagnostic } {
  if (value.kind === SETTINGS_KIND) {
    const metadata = typeof value.metadata === 'object' && value.metadata !== null ? value.metadata : { name: 'edgeway' };
    return { object: { ...value, metadata: { ...metadata, name: typeof metadata.name === 'string' ? metadata.name : 'edgeway' } } };
  }
  const namespace = value.metadata.namespace as unknown;
  if (NAMESPACED_KINDS.has(value.kind) && (namespace === undefined || namespace === null || namespace === '')) {
    return { object: { ...value, metadata: { ...value.metadata, namespace: 'default' } } };
  }
  if (CLUSTER_SCOPED_KINDS.has(value.kind) && namespace !== undefined) {
    const { namespace: _dropped, ...metadata } = value.metadata;
    const object = { ...value, metadata };
    return {
      object,
      warning: {
        severity: 'warning',
        code: 'EW_FIELD_IGNORED',
        message: `is ignored: a ${value.kind} is cluster-scoped and has no namespace; remove the field`,
        position: n.locate(['metadata', 'namespace']),
        object: objectRef(object),
        field: 'metadata.namespace',
      },
    };
  }
  return { object: value };
}
