/** v1 Endpoints: ENDPOINTS lists ready `ip:port` pairs as the API server shortens them. */
import { kindEntry } from '../kind-entry.ts';
import { AGE_COLUMN, computed, NAME_COLUMN } from '../printer-column.ts';
import type { Endpoints } from '../types.ts';
import { listCell } from './list-cell.ts';

export const ENDPOINTS = kindEntry({
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  singular: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  printerColumns: [NAME_COLUMN, computed('Endpoints', (o) => pairs(o as Endpoints)), AGE_COLUMN],
});

/**
 * As the API server prints it: ports outer, addresses inner (`a:80,b:80,a:443`), an address alone for a subset
 * without ports, IPv6 in brackets, the first three and `+ N more...`; `<none>` without subsets.
 */
function pairs(e: Endpoints): string {
  const subsets = e.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const out: string[] = [];
  for (const subset of subsets) {
    const addresses = subset.addresses ?? [];
    const ports = subset.ports ?? [];
    if (ports.length === 0) for (const address of addresses) out.push(address.ip);
    for (const port of ports)
      for (const address of addresses) out.push(address.ip.includes(':') ? `[${address.ip}]:${port.port}` : `${address.ip}:${port.port}`);
  }
  return listCell(out, '');
}
