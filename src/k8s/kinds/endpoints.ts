/** v1 Endpoints: ENDPOINTS lists ready `ip:port` pairs as kubectl shortens them. */
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

function pairs(e: Endpoints): string {
  const out: string[] = [];
  for (const subset of e.subsets ?? []) {
    const ports = subset.ports ?? [];
    for (const address of subset.addresses ?? []) {
      if (ports.length === 0) out.push(address.ip);
      for (const port of ports) out.push(`${address.ip}:${port.port}`);
    }
  }
  return listCell(out);
}
