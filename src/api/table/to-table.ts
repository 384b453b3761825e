/**
 * Server-side Table output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), the form `kubectl get` asks
 * for: a `meta.k8s.io/v1` Table whose column definitions and cells come from the kind's printer columns in the
 * registry, so kubectl prints the same table as against a cluster. Pure: objects in, a JSON-ready value out.
 *
 * Every column is always included, the `-o wide` ones (priority 1) too: the API server does not know about `wide`,
 * kubectl hides priority-1 columns itself. `date` columns (AGE) are written as ages (`5m`, `339d`) in string
 * cells, as the API server's printers do: kubectl 1.32 prints cells as they come and would show a timestamp.
 */
import type { KindEntry } from '../../k8s/kind-entry.ts';
import { cellValue, type PrinterColumn } from '../../k8s/printer-column.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { ageSince } from './human-duration.ts';

export interface TableOptions {
  /** Accepted for symmetry with kubectl's flag; the Table always carries every column (see the module comment). */
  readonly wide: boolean;
  /** What each row carries in `object`: nothing, a PartialObjectMetadata (kubectl's default), or the object. */
  readonly includeObject: 'None' | 'Metadata' | 'Object';
  readonly resourceVersion: string;
  readonly continueToken?: string;
  /** The clock for AGE cells; the current time when absent. */
  readonly now?: Date;
}

/** A meta.k8s.io/v1 Table of `objects` (already filtered and sorted), columns from entry.printerColumns. */
export function toTable(entry: KindEntry, objects: readonly KubeObject[], options: TableOptions): Record<string, unknown> {
  const columns = entry.printerColumns;
  const now = options.now ?? new Date();
  const rows = new Array<Record<string, unknown>>(objects.length);
  for (let i = 0; i < objects.length; i++) {
    const object = objects[i]!;
    const cells = new Array<unknown>(columns.length);
    for (let c = 0; c < columns.length; c++) cells[c] = cell(columns[c]!, object, now);
    const row: Record<string, unknown> = { cells };
    if (options.includeObject === 'Object') row['object'] = object;
    else if (options.includeObject === 'Metadata') row['object'] = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
    rows[i] = row;
  }
  const metadata: Record<string, string> = { resourceVersion: options.resourceVersion };
  if (options.continueToken !== undefined && options.continueToken !== '') metadata['continue'] = options.continueToken;
  let columnDefinitions = DEFINITIONS.get(entry);
  if (columnDefinitions === undefined) DEFINITIONS.set(entry, (columnDefinitions = columns.map(definition)));
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions, rows };
}

/** The column definitions of each kind, made once: registry entries never change. */
const DEFINITIONS = new WeakMap<KindEntry, readonly Record<string, unknown>[]>();

/** One columnDefinitions entry: the name as the registry spells it (kubectl upper-cases it), type, format, priority. */
export function definition(column: PrinterColumn): Record<string, unknown> {
  const isName = 'jsonPath' in column && column.jsonPath === '.metadata.name';
  return {
    name: column.name,
    type: column.type === 'date' ? 'string' : column.type,
    format: isName ? 'name' : '',
    description: isName
      ? 'The name of the object, unique in its namespace.'
      : column.type === 'date'
        ? 'How long ago the object was created.'
        : `The ${column.name} column of kubectl get.`,
    priority: column.priority,
  };
}

/**
 * A cell as the API server writes it: strings, numbers and booleans as they are; a missing value is null, which
 * kubectl prints as an empty cell (columns the API server fills with `<none>` compute it themselves); a list or object (a CRD column over an array) is written as JSON, as the API server
 * does for custom resource columns.
 */
function cell(column: PrinterColumn, object: KubeObject, now: Date): unknown {
  const value = cellValue(column, object);
  if (column.type === 'date') return ageSince(value, now);
  if (value === undefined || value === null) return null;
  if (column.type === 'integer' && typeof value === 'string' && value !== '') {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}
