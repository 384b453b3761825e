/** networking.k8s.io/v1 Ingress: its names and the columns `kubectl get ingresses` prints. */
import { kindEntry } from '../kind-entry.ts';
import { AGE_COLUMN, computed, NAME_COLUMN } from '../printer-column.ts';
import type { Ingress } from '../types.ts';

export const INGRESS = kindEntry({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  shortNames: ['ing'],
  namespaced: true,
  printerColumns: [
    NAME_COLUMN,
    computed('Class', (o) => (o as Ingress).spec.ingressClassName ?? '<none>'),
    computed('Hosts', (o) => (o as Ingress).spec.rules?.map((r) => r.host ?? '*').join(',') || '*'),
    computed('Address', (o) => (o as Ingress).status?.loadBalancer?.ingress?.map((i) => i.ip ?? i.hostname).join(',') ?? ''),
    computed('Ports', (o) => ((o as Ingress).spec.tls?.length ? '80, 443' : '80')),
    AGE_COLUMN,
  ],
});
