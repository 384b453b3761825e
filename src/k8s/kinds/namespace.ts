/** v1 Namespace: cluster-scoped; STATUS is its phase. */
import { kindEntry } from '../kind-entry.ts';
import { AGE_COLUMN, NAME_COLUMN, path } from '../printer-column.ts';

export const NAMESPACE = kindEntry({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  shortNames: ['ns'],
  namespaced: false,
  printerColumns: [NAME_COLUMN, path('Status', '.status.phase'), AGE_COLUMN],
});
