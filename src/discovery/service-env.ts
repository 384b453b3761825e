/**
 * The environment variables the kubelet gives a pod for the Services of its namespace, as kubelet's envvars.go
 * builds them: `{SVC}_SERVICE_HOST`, `{SVC}_SERVICE_PORT`, `{SVC}_SERVICE_PORT_{PORTNAME}` for named ports, and the
 * Docker-link variables `{SVC}_PORT`, `{SVC}_PORT_{port}_{PROTO}` with its `_PROTO`, `_PORT` and `_ADDR`. Names are
 * upper-cased with `-` turned into `_`. Only Services with a ClusterIP count (not headless, not ExternalName).
 * Pure: Services in (already decorated with their allocated ClusterIP), variables out.
 */
import type { Service } from '../k8s/types.ts';

export type EnvVar = readonly [name: string, value: string];

/** The kubelet's rule: a Service has an IP unless clusterIP is empty or `None`. */
export function hasClusterIP(service: Service): boolean {
  const ip = service.spec.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

function envName(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Variables for `services`, in name order, each Service's variables in the kubelet's order. */
export function serviceEnv(services: readonly Service[]): EnvVar[] {
  const out: EnvVar[] = [];
  const sorted = [...services].filter(hasClusterIP).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const service of sorted) {
    const ip = service.spec.clusterIP!;
    const ports = service.spec.ports ?? [];
    const name = envName(service.metadata.name);
    const first = ports[0];
    out.push([`${name}_SERVICE_HOST`, ip]);
    if (first !== undefined) out.push([`${name}_SERVICE_PORT`, String(first.port)]);
    for (const p of ports) if (p.name !== undefined && p.name !== '') out.push([`${name}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    ports.forEach((p, i) => {
      const proto = p.protocol ?? 'TCP';
      const url = `${proto.toLowerCase()}://${joinHostPort(ip, p.port)}`;
      if (i === 0) out.push([`${name}_PORT`, url]);
      const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push([prefix, url], [`${prefix}_PROTO`, proto.toLowerCase()], [`${prefix}_PORT`, String(p.port)], [`${prefix}_ADDR`, ip]);
    });
  }
  return out;
}
