/**
 * An object as loaded from a file, with a way back to its source: every later stage (validation, compilation,
 * status) can name the file, line and column of any field without keeping the YAML tree around itself.
 */
import type { KubeObject } from '../k8s/types.ts';
import type { SourcePosition } from './diagnostic.ts';

export interface LoadedObject<T extends KubeObject = KubeObject> {
  readonly object: T;
  /** Where the object starts; for objects created through the API, the state file. */
  readonly position: SourcePosition;
  /**
   * The position of a field given as a path (`['spec', 'rules', 0, 'host']`). Falls back to the nearest ancestor
   * that exists, then to the object's own position.
   */
  locate(path: readonly (string | number)[]): SourcePosition;
}
