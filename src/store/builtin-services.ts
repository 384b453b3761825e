/**
 * The Services a cluster has for its own API and DNS: `kubernetes` in `default`, standing for edgeway's admin API
 * (port 443 → the admin port), and `kube-system/kube-dns`, standing for edgeway's DNS server when it runs (53/UDP
 * and 53/TCP → the DNS port), each with Endpoints at the listener. As in a cluster, `kubernetes` takes the first
 * address of the (first) service CIDR, which the allocator keeps for it, and `kube-dns` the tenth when no other
 * Service holds or asks for it. Environment variables (`KUBERNETES_SERVICE_HOST`, ...) and DNS names
 * (`kubernetes.default.svc.<domain>`) then come from the ordinary Service paths.
 *
 * Pure; the objects are remembered for the last inputs, so an unchanged reload sees the very same objects.
 */
import type { LoadedObject } from '../config/loaded-object.ts';
import { BUILTIN_ORIGIN } from '../config/loaded-object.ts';
import type { HostPort, Settings } from '../config/settings.ts';
import type { AllocationState } from '../allocation/allocation-state.ts';
import { KUBERNETES_SERVICE_KEY } from '../allocation/cluster-ip-allocator.ts';
import type { Endpoints, KubeObject, Service } from '../k8s/types.ts';
import { canonicalIp, formatIp, parseCidr } from '../net/ip-range.ts';

const KUBE_DNS_KEY = 'kube-system/kube-dns';

const POSITION = Object.freeze({ file: '(built-in)', line: 1, column: 1 });

let memo: { key: string; objects: readonly LoadedObject[] } | undefined;

/** The built-in Services (with their Endpoints) that the loaded objects do not define themselves. */
export function builtinServices(settings: Settings, previous: AllocationState, loaded: readonly LoadedObject[]): readonly LoadedObject[] {
  const services = loaded.filter((l) => l.object.kind === 'Service');
  const defined = new Set(services.map((l) => `${l.object.metadata.namespace ?? 'default'}/${l.object.metadata.name}`));
  const cidr = parseCidr(settings.addresses.serviceCIDRs[0] ?? '');
  const nth = (n: bigint): string | undefined => (cidr.ok ? formatIp({ family: cidr.value.family, value: cidr.value.first + n }) : undefined);
  const tenth = nth(10n);
  const dnsIP = tenth !== undefined && isFree(tenth, previous, services) ? tenth : undefined;
  const wanted = {
    kubernetes: !defined.has(KUBERNETES_SERVICE_KEY),
    dns: settings.dns.address !== null && !defined.has(KUBE_DNS_KEY),
  };
  const key = JSON.stringify([wanted, settings.admin, settings.dns.address, nth(1n), dnsIP]);
  if (memo?.key === key) return memo.objects;
  const objects: LoadedObject[] = [];
  if (wanted.kubernetes) {
    const ip = nth(1n);
    objects.push(
      builtin(
        service('default', 'kubernetes', { component: 'apiserver', provider: 'kubernetes' }, ip, [
          { name: 'https', port: 443, protocol: 'TCP', targetPort: settings.admin.port },
        ]),
      ),
      ...endpoints('default', 'kubernetes', settings.admin, [{ name: 'https', protocol: 'TCP' }]),
    );
  }
  if (wanted.dns && settings.dns.address !== null) {
    const target = settings.dns.address;
    const ports = [
      { name: 'dns', protocol: 'UDP' as const },
      { name: 'dns-tcp', protocol: 'TCP' as const },
    ];
    objects.push(
      builtin(
        service(
          'kube-system',
          'kube-dns',
          { 'k8s-app': 'kube-dns' },
          dnsIP,
          ports.map((p) => ({ ...p, port: 53, targetPort: target.port })),
        ),
      ),
      ...endpoints('kube-system', 'kube-dns', target, ports),
    );
  }
  memo = { key, objects };
  return objects;
}

function service(namespace: string, name: string, labels: Record<string, string>, clusterIP: string | undefined, ports: Service['spec']['ports']): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: { type: 'ClusterIP', ...(clusterIP === undefined ? {} : { clusterIP }), ...(ports === undefined ? {} : { ports }) },
  };
}

/** Endpoints at the listener; none while its port is not known yet (0: chosen by the OS at bind). */
function endpoints(namespace: string, name: string, at: HostPort, ports: readonly { name: string; protocol: 'TCP' | 'UDP' }[]): LoadedObject[] {
  if (at.port === 0) return [];
  // A wildcard or named listen address is reached on loopback.
  const host = canonicalIp(at.host);
  const ip = host === undefined || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const object: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace },
    subsets: [{ addresses: [{ ip }], ports: ports.map((p) => ({ ...p, port: at.port })) }],
  };
  return [builtin(object)];
}

/** Free for kube-dns: no other Service recorded with it or asking for it. */
function isFree(ip: string, previous: AllocationState, services: readonly LoadedObject[]): boolean {
  for (const [key, record] of Object.entries(previous.services)) if (key !== KUBE_DNS_KEY && record.clusterIPs.includes(ip)) return false;
  for (const { object } of services) {
    const spec = (object as Service).spec;
    if (spec.clusterIP === ip || (spec.clusterIPs ?? []).includes(ip)) return false;
  }
  return true;
}

function builtin(object: KubeObject): LoadedObject {
  return Object.freeze({ object, position: POSITION, origin: BUILTIN_ORIGIN, locate: () => POSITION });
}
