/**
 * What the cluster DNS answers, as Kubernetes' DNS specification and CoreDNS define it, for one question over the
 * objects of one generation. Pure: question and view in, rcode and records out; the server (dns-server.ts) does
 * the wire format.
 *
 *   <svc>.<ns>.svc.<domain>              A/AAAA: the ClusterIP(s); headless: the ready endpoint addresses;
 *                                        ExternalName: a CNAME to spec.externalName
 *   _<port>._<proto>.<svc>.<ns>.svc.<domain>  SRV per named port: the Service name, or one per ready endpoint
 *   <host>.<svc>.<ns>.svc.<domain>       A/AAAA of one endpoint of a headless Service (its hostname or dashed IP)
 *   <a>-<b>-<c>-<d>.<ns>.pod.<domain>    A of that address (the specification's pod records)
 *   dns-version.<domain>                 TXT with the version of the specification answered
 *   <reversed IP>.in-addr.arpa, ip6.arpa PTR to the Service of a ClusterIP, or to the endpoint name of a ready
 *                                        endpoint of a headless Service; REFUSED for other addresses
 *   other names in the domain            NXDOMAIN (NOERROR with no records for names that exist, other types)
 *   <svc>.<ns>.<federation>.svc...       the federation names (federation-answers.ts)
 *   names outside the domains            REFUSED: the server forwards them when `dns.forwarders` names resolvers
 *
 * A headless Service without ready endpoints is NXDOMAIN, as the specification says. An ExternalName Service whose
 * target lies inside the cluster domain, or is a single label (a Service of the same namespace, as a pod's search
 * path would read it), is answered from these records: the CNAME and then the target's own records, never through
 * another resolver.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { inClusterTarget } from '../controllers/in-cluster-name.ts';
import { federationAnswer, inClusterFederationAnswer } from './federation-answers.ts';
import { resolveBackend } from '../controllers/resolve-backend.ts';
import type { ResolvedEndpoint } from '../controllers/resolved-endpoint.ts';
import type { Service } from '../k8s/types.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { withStatus } from '../status/with-status.ts';
import type { DnsRecord, DnsReply, DnsView } from './dns-view.ts';

export type { DnsRecord, DnsReply, DnsView } from './dns-view.ts';

const NXDOMAIN: DnsReply = { rcode: 'NXDOMAIN', answers: [], additionals: [] };
const REFUSED: DnsReply = { rcode: 'REFUSED', answers: [], additionals: [] };
const NODATA: DnsReply = { rcode: 'NOERROR', answers: [], additionals: [] };

/** The version of Kubernetes' DNS specification these answers follow (its `dns-version` record). */
export const DNS_SCHEMA_VERSION = '1.1.0';

/** How many CNAMEs to in-cluster names one answer follows before it stops (a loop of ExternalNames ends there). */
const MAX_CHAIN = 8;

export function answer(question: { readonly name: string; readonly type: string }, view: DnsView): DnsReply {
  const name = question.name.toLowerCase().replace(/\.$/, '');
  if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) return reverse(name, question.type, view);
  return forward(name, question.type, view, 0);
}

function forward(name: string, type: string, view: DnsView, depth: number): DnsReply {
  const domain = view.settings.dns.clusterDomain;
  if (name !== domain && !name.endsWith(`.${domain}`)) return federationAnswer(name, type, view) ?? REFUSED;
  const labels = name === domain ? [] : name.slice(0, -(domain.length + 1)).split('.');
  const ttl = view.settings.dns.ttlSeconds;

  if (labels.length === 1 && labels[0] === 'dns-version') {
    if (type !== 'TXT' && type !== 'ANY') return NODATA;
    return { rcode: 'NOERROR', answers: [{ type: 'TXT', name, ttl, data: DNS_SCHEMA_VERSION }], additionals: [] };
  }
  if (labels.length === 0 || (labels.length === 1 && (labels[0] === 'svc' || labels[0] === 'pod'))) return NODATA;
  if (labels.length === 3 && labels[2] === 'pod') return podRecord(name, labels[0]!, type, ttl);
  if (labels.at(-1) !== 'svc') return NXDOMAIN;
  if (labels.length === 2) return view.store.list('Service', labels[0]).length > 0 ? NODATA : NXDOMAIN;
  const [ns, svcName] = [labels.at(-2)!, labels.at(-3)!];
  const loaded = view.store.get<Service>('Service', ns, svcName);
  // `<svc>.<ns>.<federation>.svc.<domain>`, unless a headless Service's endpoint has that very name.
  const federated = loaded !== undefined && isHeadless(loaded.object) ? undefined : inClusterFederationAnswer(name, labels, type, view);
  if (federated !== undefined) return federated;
  if (loaded === undefined) return NXDOMAIN;
  const service = withStatus(loaded.object, view.snapshot) as Service;
  const serviceName = `${svcName}.${ns}.svc.${domain}`;

  if (labels.length === 3) {
    if (service.spec.type === 'ExternalName' && service.spec.externalName !== undefined) {
      const exists = (namespace: string, name: string): boolean => view.store.get<Service>('Service', namespace, name) !== undefined;
      const target = inClusterTarget(service.spec.externalName, ns, domain, exists) ?? service.spec.externalName.replace(/\.$/, '').toLowerCase();
      const cname: DnsRecord = { type: 'CNAME', name, ttl, data: target };
      if (type === 'CNAME' || depth >= MAX_CHAIN || (target !== domain && !target.endsWith(`.${domain}`))) {
        return { rcode: 'NOERROR', answers: [cname], additionals: [] };
      }
      // The target is one of ours: answer it here, as a recursive resolver would have, CNAME first.
      const chased = forward(target, type, view, depth + 1);
      return { rcode: chased.rcode === 'REFUSED' ? 'NOERROR' : chased.rcode, answers: [cname, ...chased.answers], additionals: chased.additionals };
    }
    if (isHeadless(service)) {
      const addresses = readyEndpoints(view, service).map((e) => e.address);
      if (addresses.length === 0) return NXDOMAIN;
      return { rcode: 'NOERROR', answers: addressRecords(name, [...new Set(addresses)], type, ttl), additionals: [] };
    }
    return { rcode: 'NOERROR', answers: addressRecords(name, clusterIPs(service), type, ttl), additionals: [] };
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

/** `10-1-0-5.<ns>.pod.<domain>` → A 10.1.0.5 (the specification keeps these records for older clients). */
function podRecord(name: string, label: string, type: string, ttl: number): DnsReply {
  const ip = label.replaceAll('-', '.');
  if (!isIPv4(ip)) return NXDOMAIN;
  return { rcode: 'NOERROR', answers: addressRecords(name, [ip], type, ttl), additionals: [] };
}

/** PTR for a ClusterIP or a ready endpoint of a headless Service; other addresses are not edgeway's to answer. */
function reverse(name: string, type: string, view: DnsView): DnsReply {
  const ip = addressOfReverseName(name);
  if (ip === null) return REFUSED;
  const targets = reverseIndex(view).get(ip);
  if (targets === undefined) return REFUSED;
  if (type !== 'PTR' && type !== 'ANY') return NODATA;
  const ttl = view.settings.dns.ttlSeconds;
  return { rcode: 'NOERROR', answers: targets.map((data) => ({ type: 'PTR', name, ttl, data })), additionals: [] };
}

/** The address a reverse name stands for (`4.3.2.1.in-addr.arpa` → `1.2.3.4`), or null when it is not a whole one. */
export function addressOfReverseName(name: string): string | null {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return null;
    const ip = parts.reverse().join('.');
    return isIPv4(ip) ? ip : null;
  }
  const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
  if (nibbles.length !== 32 || nibbles.some((n) => !/^[0-9a-f]$/.test(n))) return null;
  const hex = nibbles.reverse().join('');
  const groups = hex.match(/.{4}/g)!.join(':');
  return canonicalIp(groups);
}

/** One spelling per address, so `fd00::10` and `fd00:0:0:...:10` meet in the index. */
function canonicalIp(ip: string): string | null {
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return null;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

/** Address → PTR targets, built once per generation on the first reverse query. */
const reverseIndexes = new WeakMap<Snapshot, ReadonlyMap<string, readonly string[]>>();

function reverseIndex(view: DnsView): ReadonlyMap<string, readonly string[]> {
  const cached = reverseIndexes.get(view.snapshot);
  if (cached !== undefined) return cached;
  const domain = view.settings.dns.clusterDomain;
  const index = new Map<string, string[]>();
  const add = (ip: string, target: string): void => {
    const key = canonicalIp(ip);
    if (key === null) return;
    const list = index.get(key);
    if (list === undefined) index.set(key, [target]);
    else if (!list.includes(target)) list.push(target);
  };
  for (const loaded of view.store.list<Service>('Service')) {
    const service = withStatus(loaded.object, view.snapshot) as Service;
    const serviceName = `${service.metadata.name}.${service.metadata.namespace ?? 'default'}.svc.${domain}`;
    if (isHeadless(service)) {
      for (const e of readyEndpoints(view, service)) add(e.address, `${endpointLabel(e)}.${serviceName}`);
    } else if (service.spec.type !== 'ExternalName') {
      for (const ip of clusterIPs(service)) add(ip, serviceName);
    }
  }
  reverseIndexes.set(view.snapshot, index);
  return index;
}
