/** v1 Secret: TYPE and the number of DATA keys (never the values). */
import { kindEntry } from '../kind-entry.ts';
import { AGE_COLUMN, computed, NAME_COLUMN, path } from '../printer-column.ts';
import type { Secret } from '../types.ts';

export const SECRET = kindEntry({
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  namespaced: true,
  printerColumns: [NAME_COLUMN, path('Type', '.type'), computed('Data', (o) => String(Object.keys((o as Secret).data ?? {}).length), 0, 'integer'), AGE_COLUMN],
});
