/**
 * v1 Service: its names and the columns `kubectl get services` prints (EXTERNAL-IP is `<pending>` while a
 * LoadBalancer waits for an address; PORT(S) shows NodePorts).
 */
import { kindEntry } from '../kind-entry.ts';
import { AGE_COLUMN, computed, NAME_COLUMN } from '../printer-column.ts';
import type { KubeObject, Service } from '../types.ts';

export const SERVICE = kindEntry({
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  shortNames: ['svc'],
  categories: ['all'],
  namespaced: true,
  printerColumns: [
    NAME_COLUMN,
    computed('Type', (o) => (o as Service).spec.type ?? 'ClusterIP'),
    computed('Cluster-IP', (o) => (o as Service).spec.clusterIP ?? '<none>'),
    computed('External-IP', (o) => externalIp(o as Service)),
    computed('Port(s)', (o) => ports(o as Service)),
    AGE_COLUMN,
    computed('Selector', selector, 1),
  ],
});

/** ExternalName: the name; otherwise spec.externalIPs, after the load balancer's addresses for a LoadBalancer. */
function externalIp(s: Service): string {
  if (s.spec.type === 'ExternalName') return s.spec.externalName ?? '<none>';
  const external = (s.spec as { externalIPs?: readonly string[] }).externalIPs ?? [];
  if (s.spec.type !== 'LoadBalancer') return external.length === 0 ? '<none>' : external.join(',');
  const ips = s.status?.loadBalancer?.ingress?.map((i) => i.ip ?? i.hostname ?? '').filter((ip) => ip !== '') ?? [];
  const all = [...ips, ...external];
  return all.length === 0 ? '<pending>' : all.join(',');
}

function ports(s: Service): string {
  const list = s.spec.ports ?? [];
  if (list.length === 0) return '<none>';
  return list.map((p) => `${p.port}${p.nodePort === undefined || p.nodePort === 0 ? '' : `:${p.nodePort}`}/${p.protocol ?? 'TCP'}`).join(',');
}

function selector(o: KubeObject): string {
  // Sorted by key, as the API server formats label sets.
  const entries = Object.entries((o as Service).spec.selector ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}
