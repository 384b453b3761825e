/**
 * kubectl-style tables for `edgeway get`: the columns kubectl prints per kind (Services with CLUSTER-IP,
 * EXTERNAL-IP — `<pending>` while a LoadBalancer waits for an address — and PORT(S) with NodePorts; Ingresses with
 * CLASS, HOSTS and ADDRESS), and NAME/AGE for the rest. Pure: objects and a clock in, text out.
 */
import type { Ingress, KubeObject, Service } from '../../k8s/types.ts';

type Row = readonly string[];

export function formatTable(kind: string, objects: readonly KubeObject[], allNamespaces: boolean, now: Date): string {
  const columns = COLUMNS[kind] ?? DEFAULT_COLUMNS;
  const header: Row = [...(allNamespaces ? ['NAMESPACE'] : []), ...columns.map((c) => c.title)];
  const rows: Row[] = objects.map((o) => [...(allNamespaces ? [o.metadata.namespace ?? ''] : []), ...columns.map((c) => c.value(o, now))]);
  if (rows.length === 0) return '';
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('')).join('\n') + '\n';
}

interface Column {
  readonly title: string;
  value(object: KubeObject, now: Date): string;
}

const NAME: Column = { title: 'NAME', value: (o) => o.metadata.name };
const AGE: Column = { title: 'AGE', value: (o, now) => age(o.metadata.creationTimestamp, now) };
const DEFAULT_COLUMNS: readonly Column[] = [NAME, AGE];

const COLUMNS: Readonly<Record<string, readonly Column[]>> = {
  Service: [
    NAME,
    { title: 'TYPE', value: (o) => (o as Service).spec.type ?? 'ClusterIP' },
    { title: 'CLUSTER-IP', value: (o) => (o as Service).spec.clusterIP ?? '<none>' },
    { title: 'EXTERNAL-IP', value: (o) => externalIp(o as Service) },
    { title: 'PORT(S)', value: (o) => ports(o as Service) },
    AGE,
  ],
  Ingress: [
    NAME,
    { title: 'CLASS', value: (o) => (o as Ingress).spec.ingressClassName ?? '<none>' },
    { title: 'HOSTS', value: (o) => (o as Ingress).spec.rules?.map((r) => r.host ?? '*').join(',') || '*' },
    { title: 'ADDRESS', value: (o) => (o as Ingress).status?.loadBalancer?.ingress?.map((i) => i.ip ?? i.hostname).join(',') ?? '' },
    { title: 'PORTS', value: (o) => ((o as Ingress).spec.tls?.length ? '80, 443' : '80') },
    AGE,
  ],
};

function externalIp(s: Service): string {
  if (s.spec.type === 'ExternalName') return s.spec.externalName ?? '<none>';
  if (s.spec.type !== 'LoadBalancer') return '<none>';
  const ips = s.status?.loadBalancer?.ingress?.map((i) => i.ip ?? i.hostname ?? '').filter((ip) => ip !== '') ?? [];
  return ips.length === 0 ? '<pending>' : ips.join(',');
}

function ports(s: Service): string {
  const list = s.spec.ports ?? [];
  if (list.length === 0) return '<none>';
  return list.map((p) => `${p.port}${p.nodePort === undefined ? '' : `:${p.nodePort}`}/${p.protocol ?? 'TCP'}`).join(',');
}

/** kubectl's short ages: 45s, 12m, 5h, 3d; `<unknown>` without a timestamp. */
export function age(timestamp: string | undefined, now: Date): string {
  if (timestamp === undefined) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(timestamp)) / 1000));
  if (Number.isNaN(seconds)) return '<unknown>';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
