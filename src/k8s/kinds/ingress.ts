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
    computed('Hosts', (o) => hosts(o as Ingress)),
    computed('Address', (o) => (o as Ingress).status?.loadBalancer?.ingress?.map((i) => i.ip ?? i.hostname).join(',') ?? ''),
    computed('Ports', (o) => ((o as Ingress).spec.tls?.length ? '80, 443' : '80')),
    AGE_COLUMN,
  ],
});

/** The hosts of the rules that name one (the first three, then `+ N more...` counting every rule); `*` for none. */
function hosts(i: Ingress): string {
  const rules = i.spec.rules ?? [];
  const named: string[] = [];
  for (const rule of rules) {
    if (named.length === 3) return `${named.join(',')} + ${rules.length - 3} more...`;
    if (rule.host !== undefined && rule.host !== '') named.push(rule.host);
  }
  return named.length === 0 ? '*' : named.join(',');
}
