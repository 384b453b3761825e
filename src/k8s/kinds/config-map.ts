/** v1 ConfigMap: DATA counts the keys of data and binaryData. */
import { kindEntry } from '../kind-entry.ts';
import { AGE_COLUMN, computed, NAME_COLUMN } from '../printer-column.ts';
import type { KubeObject } from '../types.ts';

export const CONFIG_MAP = kindEntry({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  shortNames: ['cm'],
  namespaced: true,
  printerColumns: [NAME_COLUMN, computed('Data', keys, 0, 'integer'), AGE_COLUMN],
});

function keys(o: KubeObject): string {
  const count = (field: string): number => Object.keys((o[field] as Record<string, unknown> | undefined) ?? {}).length;
  return String(count('data') + count('binaryData'));
}
