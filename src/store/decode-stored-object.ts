/**
 * One value read from etcd, made an object the loader's later stages can use, or a diagnostic naming the key. etcd
 * is shared and someone may write into it by hand (etcdctl, another version of edgeway), so every value is checked
 * as a file's object is — JSON, a known kind, the kind's validation — and a bad one is reported and left out alone.
 * The object's position is the key: every diagnostic about it then names where to look.
 */
import type { Diagnostic, SourcePosition } from '../config/diagnostic.ts';
import { API_ORIGIN, type LoadedObject } from '../config/loaded-object.ts';
import { validateObject } from '../config/validate/validate-object.ts';
import { kindEntryOf } from '../k8s/kinds.ts';
import type { KubeObject } from '../k8s/types.ts';
import { registryKey } from './registry-key.ts';

export interface DecodedObject {
  readonly loaded: LoadedObject;
  /** etcd's mod revision of the key: the object's resourceVersion. */
  readonly modRevision: number;
}

/** The object under `key` at `modRevision`, or why it cannot be served. */
export function decodeStoredObject(prefix: string, key: string, text: string, modRevision: number): DecodedObject | Diagnostic {
  const position: SourcePosition = { file: `etcd:${key}`, line: 1, column: 1 };
  const problem = (code: Diagnostic['code'], message: string): Diagnostic => ({ severity: 'error', code, message: `etcd key ${key}: ${message}`, position });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return problem('EW_STORED_OBJECT_INVALID', `the value is not JSON (${(error as Error).message}); the object is left out`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return problem('EW_STORED_OBJECT_INVALID', 'the value is not an object; it is left out');
  const o = value as KubeObject;
  const entry = typeof o.kind === 'string' ? kindEntryOf(o.kind) : undefined;
  if (entry === undefined) return problem('EW_STORED_OBJECT_INVALID', `kind ${JSON.stringify(o.kind)} is not one edgeway serves; the object is left out`);
  const meta = o.metadata as KubeObject['metadata'] | undefined;
  if (typeof meta !== 'object' || meta === null || typeof meta.name !== 'string')
    return problem('EW_STORED_OBJECT_INVALID', 'metadata.name is missing; the object is left out');
  // An object copied under another object's key would shadow it: the key must be where the object says it lives.
  const expected = registryKey(prefix, entry, meta.namespace, meta.name);
  if (expected !== key) return problem('EW_STORED_OBJECT_INVALID', `the object says it lives at ${expected}; it is left out`);
  const object: KubeObject = { ...o, metadata: { ...meta, resourceVersion: String(modRevision) } };
  const loaded: LoadedObject = { object, position, origin: API_ORIGIN, locate: () => position };
  const errors = validateObject(loaded).filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const first = errors[0]!;
    return problem(
      'EW_STORED_OBJECT_INVALID',
      `${first.field === undefined ? '' : `${first.field}: `}${first.message} (${errors.length} error(s)); the object is left out`,
    );
  }
  return { loaded, modRevision };
}
