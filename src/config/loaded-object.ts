/**
 * An object as loaded from a file, with a way back to its source: every later stage (validation, compilation,
 * status) can name the file, line and column of any field without keeping the YAML tree around itself. Its origin
 * says which object source it came from, so nothing needs to compare file paths to tell a file's object from one
 * written through the API.
 */
import type { KubeObject } from '../k8s/types.ts';
import type { SourcePosition } from './diagnostic.ts';

/** Where an object came from: a configuration file (where it starts there), a write through the admin API, or edgeway itself. */
export type ObjectOrigin =
  | { readonly kind: 'file'; readonly file: string; readonly line: number; readonly column: number }
  | { readonly kind: 'api' }
  | { readonly kind: 'builtin' };

/** The origin of every object written through the API (one shared value: it carries nothing per object). */
export const API_ORIGIN: ObjectOrigin = Object.freeze({ kind: 'api' });

/** The origin of the objects edgeway provides itself, as a cluster has them (store/builtin-objects.ts). */
export const BUILTIN_ORIGIN: ObjectOrigin = Object.freeze({ kind: 'builtin' });

export interface LoadedObject<T extends KubeObject = KubeObject> {
  readonly object: T;
  /** Where the object starts; for objects created through the API, the state file. */
  readonly position: SourcePosition;
  readonly origin: ObjectOrigin;
  /**
   * The position of a field given as a path (`['spec', 'rules', 0, 'host']`). Falls back to the nearest ancestor
   * that exists, then to the object's own position.
   */
  locate(path: readonly (string | number)[]): SourcePosition;
}
