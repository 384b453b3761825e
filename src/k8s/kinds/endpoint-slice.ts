/** discovery.k8s.io/v1 EndpointSlice: ADDRESSTYPE, PORTS and ENDPOINTS as kubectl prints them. */
import { kindEntry } from '../kind-entry.ts';
import { AGE_COLUMN, computed, NAME_COLUMN, path } from '../printer-column.ts';
import type { EndpointSlice } from '../types.ts';
import { listCell } from './list-cell.ts';

export const ENDPOINT_SLICE = kindEntry({
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  // The API server gives EndpointSlice no short name; `epslice` is edgeway's own, accepted by `edgeway get`.
  shortNames: ['epslice'],
  namespaced: true,
  printerColumns: [
    NAME_COLUMN,
    path('AddressType', '.addressType'),
    computed('Ports', (o) =>
      listCell(
        ((o as EndpointSlice).ports ?? []).map((p) => (p.port === undefined ? '<unset>' : String(p.port))),
        '<unset>',
      ),
    ),
    computed('Endpoints', (o) =>
      listCell(
        ((o as EndpointSlice).endpoints ?? []).flatMap((e) => e.addresses),
        '<unset>',
      ),
    ),
    AGE_COLUMN,
  ],
});
