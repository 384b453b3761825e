/**
 * Prints a server-side `meta.k8s.io/v1` Table as kubectl prints one, so `edgeway get` answers like kubectl where
 * kubectl is not installed: column names upper-cased, priority-1 columns only with `-o wide`, NAMESPACE first for
 * `-A`, each column as wide as its widest cell and three spaces apart (the last one unpadded), a null cell empty and
 * a multi-line string cut at its first line break with `...`. Pure: the Table in, text out.
 */

export interface TableColumn {
  readonly name: string;
  readonly priority?: number;
}

export interface TableRow {
  readonly cells: readonly unknown[];
  readonly object?: { readonly metadata?: { readonly namespace?: string } };
}

export interface Table {
  readonly columnDefinitions: readonly TableColumn[];
  readonly rows: readonly TableRow[];
}

export interface PrintOptions {
  /** `-o wide`: the priority-1 columns too. */
  readonly wide: boolean;
  /** `-A` on a namespaced resource: a NAMESPACE column first. */
  readonly withNamespace: boolean;
}

/** The table as kubectl writes it; '' when it has no rows (kubectl then says "No resources found"). */
export function printTable(table: Table, options: PrintOptions): string {
  if (table.rows.length === 0) return '';
  const shown: number[] = [];
  table.columnDefinitions.forEach((c, i) => {
    if (options.wide || (c.priority ?? 0) === 0) shown.push(i);
  });
  const header = [...(options.withNamespace ? ['NAMESPACE'] : []), ...shown.map((i) => table.columnDefinitions[i]!.name.toUpperCase())];
  const lines: string[][] = [header];
  for (const row of table.rows) {
    const namespace = options.withNamespace ? [row.object?.metadata?.namespace ?? ''] : [];
    lines.push([...namespace, ...shown.map((i) => cellText(row.cells[i]))]);
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  let out = '';
  for (const l of lines) {
    for (let c = 0; c < l.length; c++) out += c === l.length - 1 ? l[c] : l[c]!.padEnd(widths[c]! + 3);
    out += '\n';
  }
  return out;
}

/** A cell as kubectl prints it: strings to their first line break, null empty, anything else as Go prints it. */
export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') {
    const cut = cell.search(/[\n\r\f]/);
    return cut === -1 ? cell : `${cell.slice(0, cut)}...`;
  }
  return typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
}
