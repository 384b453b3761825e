/**
 * Collects the diagnostics of one object while a validator walks it. Each finding is tied to a field path, turned
 * into a file position through the object's `locate`, so validators only say *what* is wrong and *where* in the
 * object; the file, line, column and object name are filled in here the same way for every kind.
 */
import type { Code } from '../../errors.ts';
import { formatFieldPath, type Diagnostic, type Severity } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import { objectRef } from '../../k8s/types.ts';

/** A path into an object: `['spec', 'ports', 0, 'name']`. */
export type FieldPath = readonly (string | number)[];

export class Report {
  readonly #source: LoadedObject;
  readonly #object: string;
  readonly #out: Diagnostic[] = [];

  constructor(source: LoadedObject) {
    this.#source = source;
    this.#object = objectRef(source.object);
  }

  error(code: Code, path: FieldPath, message: string): void {
    this.#add('error', code, path, message);
  }

  warning(code: Code, path: FieldPath, message: string): void {
    this.#add('warning', code, path, message);
  }

  get diagnostics(): Diagnostic[] {
    return [...this.#out];
  }

  #add(severity: Severity, code: Code, path: FieldPath, message: string): void {
    const field = formatFieldPath(path);
    this.#out.push({
      severity,
      code,
      message,
      position: this.#source.locate(path),
      object: this.#object,
      ...(field === '' ? {} : { field }),
    });
  }
}
