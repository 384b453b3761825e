/**
 * How kubectl shortens a list in one cell: the first three entries, then `+ N more...`; `<none>` when empty.
 * Shared by the Endpoints and EndpointSlice columns.
 */
export function listCell(items: readonly string[], empty = '<none>'): string {
  if (items.length === 0) return empty;
  const shown = items.slice(0, 3).join(',');
  return items.length > 3 ? `${shown} + ${items.length - 3} more...` : shown;
}
