/**
 * A column of the table `kubectl get` prints for a kind, as an API server describes it in Table output: a name
 * (`Cluster-IP`; kubectl prints it upper-cased), an OpenAPI type, a priority (0: always shown, 1: with `-o wide`)
 * and where the cell comes from, a JSON path into the object or a function for computed cells. Pure data: no
 * clock, so `date` cells stay timestamps and the printer turns them into ages.
 */
import type { KubeObject } from './types.ts';

export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date';

interface ColumnBase {
  readonly name: string;
  readonly type: ColumnType;
  /** 0: shown by default; 1: shown with `-o wide`. */
  readonly priority: 0 | 1;
}

/** A cell read from the object by a simple JSON path (`.spec.controller`). */
export interface PathColumn extends ColumnBase {
  readonly jsonPath: string;
}

/** A cell computed from the object, as the API server's printers do for built-in kinds. */
export interface ComputedColumn extends ColumnBase {
  readonly value: (object: KubeObject) => string;
}

export type PrinterColumn = PathColumn | ComputedColumn;

export const NAME_COLUMN: PathColumn = { name: 'Name', type: 'string', priority: 0, jsonPath: '.metadata.name' };
export const AGE_COLUMN: PathColumn = { name: 'Age', type: 'date', priority: 0, jsonPath: '.metadata.creationTimestamp' };

/** A computed column, shown by default unless `priority` says wide. */
export function computed(name: string, value: (object: KubeObject) => string, priority: 0 | 1 = 0, type: ColumnType = 'string'): ComputedColumn {
  return { name, type, priority, value };
}

/** A JSON-path column, shown by default unless `priority` says wide. */
export function path(name: string, jsonPath: string, type: ColumnType = 'string', priority: 0 | 1 = 0): PathColumn {
  return { name, type, priority, jsonPath };
}

/**
 * The raw cell of `column` for `object`: the function's string, or the value at the JSON path (undefined when a
 * step is missing). Only dotted paths are supported; they are all the registry uses.
 */
export function cellValue(column: PrinterColumn, object: KubeObject): unknown {
  if ('value' in column) return column.value(object);
  let at: unknown = object;
  for (const step of column.jsonPath.split('.')) {
    if (step === '') continue;
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}
