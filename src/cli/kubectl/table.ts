/**
 * kubectl-style tables for `edgeway get`, with the columns of the kind registry (Services with CLUSTER-IP,
 * EXTERNAL-IP — `<pending>` while a LoadBalancer waits for an address — and PORT(S) with NodePorts; Ingresses with
 * CLASS, HOSTS and ADDRESS), and NAME/AGE for the rest. Pure: objects and a clock in, text out.
 */
import { kindEntryOf, type KindName } from '../../k8s/kinds.ts';
import { AGE_COLUMN, cellValue, NAME_COLUMN, type PrinterColumn } from '../../k8s/printer-column.ts';
import type { KubeObject } from '../../k8s/types.ts';

type Row = readonly string[];

/**
 * The kinds `edgeway get` prints with their registry columns; the others keep the NAME and AGE it has always
 * printed for them.
 */
const FULL_TABLE_KINDS: ReadonlySet<string> = new Set<KindName>(['Service', 'Ingress']);
const DEFAULT_COLUMNS: readonly PrinterColumn[] = [NAME_COLUMN, AGE_COLUMN];

export function formatTable(kind: string, objects: readonly KubeObject[], allNamespaces: boolean, now: Date): string {
  const columns = columnsOf(kind);
  const header: Row = [...(allNamespaces ? ['NAMESPACE'] : []), ...columns.map((c) => c.name.toUpperCase())];
  const rows: Row[] = objects.map((o) => [...(allNamespaces ? [o.metadata.namespace ?? ''] : []), ...columns.map((c) => cellText(c, o, now))]);
  if (rows.length === 0) return '';
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('')).join('\n') + '\n';
}

/** The columns printed for `kind`: the registry's default (priority 0) columns, or NAME and AGE. */
export function columnsOf(kind: string): readonly PrinterColumn[] {
  const entry = kindEntryOf(kind);
  if (entry === undefined || !FULL_TABLE_KINDS.has(kind)) return DEFAULT_COLUMNS;
  return entry.printerColumns.filter((c) => c.priority === 0);
}

function cellText(column: PrinterColumn, object: KubeObject, now: Date): string {
  const value = cellValue(column, object);
  if (column.type === 'date') return age(typeof value === 'string' ? value : undefined, now);
  if (value === undefined || value === null) return '<none>';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** kubectl's short ages: 45s, 12m, 5h, 3d; `<unknown>` without a timestamp. */
export function age(timestamp: string | undefined, now: Date): string {
  if (timestamp === undefined) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(timestamp)) / 1000));
  if (Number.isNaN(seconds)) return '<unknown>';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
