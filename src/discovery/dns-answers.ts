/**
 * What the cluster DNS answers, as Kubernetes' DNS specification and CoreDNS define it, for one question over the
 * objects of one generation. Pure: question and view in, rcode and records out; the server (dns-server.ts) does
 * the wire format.
 *
 *   <svc>.<ns>.svc.<domain>              A/AAAA: the ClusterIP(s); headless: the ready endpoint addresses;
 *                                        ExternalName: a CNAME to spec.externalName
 *   _<port>._<proto>.<svc>.<ns>.svc.<domain>  SRV per named port: the Service name, or one per ready endpoint
 *   <host>.<svc>.<ns>.svc.<domain>       A/AAAA of one endpoint of a headless Service (its hostname or dashed IP)
 *   other names in the domain            NXDOMAIN (NOERROR with no records for names that exist, other types)
 *   names outside the domain             REFUSED: this is not a recursive resolver
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Settings } from '../config/settings.ts';
import { resolveBackend } from '../controllers/resolve-backend.ts';
import type { ResolvedEndpoint } from '../controllers/resolved-endpoint.ts';
import type { Service } from '../k8s/types.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { withStatus } from '../status/with-status.ts';
import type { ObjectStore } from '../store/object-store.ts';

export interface DnsView {
  readonly store: ObjectStore;
  readonly snapshot: Snapshot;
  readonly settings: Settings;
}

export type DnsRecord =
  | { readonly type: 'A' | 'AAAA' | 'CNAME'; readonly name: string; readonly ttl: number; readonly data: string }
  | {
      readonly type: 'SRV';
      readonly name: string;
      readonly ttl: number;
      readonly data: { readonly priority: number; readonly weight: number; readonly port: number; readonly target: string };
    };

export interface DnsReply {
  readonly rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED';
  readonly answers: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
}

const NXDOMAIN: DnsReply = { rcode: 'NXDOMAIN', answers: [], additionals: [] };
const REFUSED: DnsReply = { rcode: 'REFUSED', answers: [], additionals: [] };
const NODATA: DnsReply = { rcode: 'NOERROR', answers: [], additionals: [] };

export function answer(question: { readonly name: string; readonly type: string }, view: DnsView): DnsReply {
  const domain = view.settings.dns.clusterDomain;
  const name = question.name.toLowerCase().replace(/\.$/, '');
  if (name !== domain && !name.endsWith(`.${domain}`)) return REFUSED;
  const labels = name === domain ? [] : name.slice(0, -(domain.length + 1)).split('.');
  const ttl = view.settings.dns.ttlSeconds;
  const type = question.type;

  if (labels.length === 0 || (labels.length === 1 && labels[0] === 'svc')) return NODATA;
  if (labels.at(-1) !== 'svc') return NXDOMAIN;
  if (labels.length === 2) return view.store.list('Service', labels[0]).length > 0 ? NODATA : NXDOMAIN;
  const [ns, svcName] = [labels.at(-2)!, labels.at(-3)!];
  const loaded = view.store.get<Service>('Service', ns, svcName);
  if (loaded === undefined) return NXDOMAIN;
  const service = withStatus(loaded.object, view.snapshot) as Service;
  const serviceName = `${svcName}.${ns}.svc.${domain}`;

  if (labels.length === 3) {
    if (service.spec.type === 'ExternalName' && service.spec.externalName !== undefined) {
      return { rcode: 'NOERROR', answers: [{ type: 'CNAME', name, ttl, data: service.spec.externalName.replace(/\.$/, '') }], additionals: [] };
    }
    const addresses = isHeadless(service) ? readyEndpoints(view, service).map((e) => e.address) : clusterIPs(service);
    return { rcode: 'NOERROR', answers: addressRecords(name, [...new Set(addresses)], type, ttl), additionals: [] };
  }

  if (labels.length === 5 && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) {
    const portName = labels[0]!.slice(1);
    const proto = labels[1]!.slice(1).toUpperCase();
    const port = (service.spec.ports ?? []).find((p) => p.name === portName && (p.protocol ?? 'TCP') === proto);
    if (port === undefined) return NXDOMAIN;
    if (type !== 'SRV' && type !== 'ANY') return NODATA;
    if (!isHeadless(service)) {
      const ips = clusterIPs(service);
      if (ips.length === 0) return NODATA;
      return {
        rcode: 'NOERROR',
        answers: [{ type: 'SRV', name, ttl, data: { priority: 0, weight: 100, port: port.port, target: serviceName } }],
        additionals: addressRecords(serviceName, ips, 'ANY', ttl),
      };
    }
    const endpoints = readyEndpoints(view, service, port.name);
    const answers: DnsRecord[] = [];
    const additionals: DnsRecord[] = [];
    for (const e of endpoints) {
      const target = `${endpointLabel(e)}.${serviceName}`;
      answers.push({ type: 'SRV', name, ttl, data: { priority: 0, weight: Math.floor(100 / endpoints.length), port: e.port, target } });
      additionals.push(...addressRecords(target, [e.address], 'ANY', ttl));
    }
    return { rcode: 'NOERROR', answers, additionals };
  }

  if (labels.length === 4 && isHeadless(service)) {
    const e = readyEndpoints(view, service).find((x) => endpointLabel(x) === labels[0]);
    if (e === undefined) return NXDOMAIN;
    return { rcode: 'NOERROR', answers: addressRecords(name, [e.address], type, ttl), additionals: [] };
  }
  return NXDOMAIN;
}

function isHeadless(service: Service): boolean {
  return service.spec.clusterIP === 'None';
}

function clusterIPs(service: Service): string[] {
  const ips = service.spec.clusterIPs ?? (service.spec.clusterIP === undefined ? [] : [service.spec.clusterIP]);
  return ips.filter((ip) => ip !== '' && ip !== 'None');
}

/** Ready endpoints over the Service's ports (or one port), each address once. */
function readyEndpoints(view: DnsView, service: Service, portName?: string): ResolvedEndpoint[] {
  const seen = new Set<string>();
  const out: ResolvedEndpoint[] = [];
  for (const p of service.spec.ports ?? []) {
    if (portName !== undefined && p.name !== portName) continue;
    const ref = { namespace: service.metadata.namespace ?? 'default', name: service.metadata.name, port: p.name ?? p.port };
    const { resolution } = resolveBackend(view.store, ref, view.settings);
    if (resolution.kind !== 'endpoints') continue;
    for (const e of resolution.endpoints) {
      const key = portName === undefined ? e.address : `${e.address}:${e.port}`;
      if (!e.ready || seen.has(key)) continue;
      seen.add(key);
      out.push(e);
    }
  }
  return out;
}

/** The DNS label of an endpoint: its hostname, or its address with `.`/`:` as `-` (as CoreDNS does). */
function endpointLabel(e: ResolvedEndpoint): string {
  return e.hostname ?? e.address.replaceAll(/[.:]/g, '-');
}

function addressRecords(name: string, addresses: readonly string[], type: string, ttl: number): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (const a of addresses) {
    if (isIPv4(a) && (type === 'A' || type === 'ANY')) out.push({ type: 'A', name, ttl, data: a });
    else if (isIPv6(a) && (type === 'AAAA' || type === 'ANY')) out.push({ type: 'AAAA', name, ttl, data: a });
  }
  return out;
}
