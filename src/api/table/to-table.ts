/**
 * Placeholder for the server-side Table output (owned by the api-edge work, which replaces this file): a
 * meta.k8s.io/v1 Table with the registry's printer columns, cells as plain strings, ages in kubectl's short form.
 */
import type { KindEntry } from '../../k8s/kind-entry.ts';
import { cellValue } from '../../k8s/printer-column.ts';
import type { KubeObject } from '../../k8s/types.ts';

export interface TableOptions {
  readonly wide: boolean;
  readonly includeObject: 'None' | 'Metadata' | 'Object';
  readonly resourceVersion: string;
  readonly continueToken?: string;
}

/** A meta.k8s.io/v1 Table of `objects` (already filtered and sorted), columns from entry.printerColumns. */
export function toTable(entry: KindEntry, objects: readonly KubeObject[], options: TableOptions): Record<string, unknown> {
  const columns = entry.printerColumns;
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: options.resourceVersion, ...(options.continueToken === undefined ? {} : { continue: options.continueToken }) },
    columnDefinitions: columns.map((c) => ({ name: c.name, type: c.type === 'date' ? 'string' : c.type, format: c.name === 'Name' ? 'name' : '', description: '', priority: c.priority })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => {
        const v = cellValue(c, o);
        if (c.type === 'date') return typeof v === 'string' ? age(now - Date.parse(v)) : '<unknown>';
        return v === undefined || v === null ? '<none>' : v;
      }),
      ...(options.includeObject === 'None'
        ? {}
        : { object: options.includeObject === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } }),
    })),
  };
}

function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
