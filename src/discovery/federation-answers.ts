/**
 * The DNS names of federated Services, as the federated-services design lays them out, for the federations the
 * settings name (`dns.federations`: a name and a DNS domain each):
 *
 *   <svc>.<ns>.<fed>.svc.<domain>                  every healthy shard
 *   <svc>.<ns>.<fed>.svc.<region>.<domain>         the healthy shards of that region, else CNAME to the name above
 *   <svc>.<ns>.<fed>.svc.<zone>.<region>.<domain>  the healthy shards of that zone, else CNAME to the region's name
 *   <svc>.<ns>.<fed>.svc.<cluster domain>          in-cluster: the local Service's ClusterIPs while the local shard is
 *                                                  healthy, else CNAME to the name of edgeway's own zone (or region,
 *                                                  or the global name), as a cluster's DNS did for its pods
 *
 * A shard is one cluster's copy of the Service: the main configuration's (in edgeway's `locality`) and each of
 * `clusters` (in its zone and region). It is healthy when one of its ready endpoints is healthy to the data plane; its
 * addresses are the LoadBalancer ingress IPs in its status (for the main configuration, those edgeway allocated, else
 * its ClusterIPs). A CNAME answer goes on with the target's records, since edgeway is authoritative for both names.
 * Answers carry the DNS TTL (`dns.ttl`, 5 s by default): short, so clients follow a failover quickly.
 *
 * Pure over the view; health is read once per question.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { FederationSettings, Settings } from '../config/settings.ts';
import { resolveBackend } from '../controllers/resolve-backend.ts';
import type { Service } from '../k8s/types.ts';
import type { ClusterStore } from '../snapshot/compile-snapshot.ts';
import { withStatus } from '../status/with-status.ts';
import type { StoreReader } from '../store/object-store.ts';
import type { DnsRecord, DnsReply, DnsView } from './dns-view.ts';

interface Shard {
  readonly zone: string | null;
  readonly region: string | null;
  readonly addresses: readonly string[];
  readonly healthy: boolean;
}

/** Which federation name a DNS name is, parsed; null when it is not under any federation's domain. */
interface FederationName {
  readonly federation: FederationSettings;
  readonly service: string;
  readonly namespace: string;
  /** [] for the global name, [region], or [zone, region]. */
  readonly locality: readonly string[];
}

const NXDOMAIN: DnsReply = { rcode: 'NXDOMAIN', answers: [], additionals: [] };
const NODATA: DnsReply = { rcode: 'NOERROR', answers: [], additionals: [] };

/** Whether the name lies in one of the federations' domains (so it is edgeway's to answer). */
export function inFederationDomain(name: string, settings: Settings): boolean {
  return settings.dns.federations.some((f) => name === f.domain || name.endsWith(`.${f.domain}`));
}

/**
 * The answer for a name in a federation's domain; undefined when the name is in none (the caller answers it).
 * `name` is lower-case without the trailing dot.
 */
export function federationAnswer(name: string, type: string, view: DnsView): DnsReply | undefined {
  const domains = view.settings.dns.federations.filter((f) => name === f.domain || name.endsWith(`.${f.domain}`));
  if (domains.length === 0) return undefined;
  const parsed = parseName(name, domains);
  if (parsed === null) return name === domains[0]!.domain ? NODATA : NXDOMAIN;
  return answerFederated(parsed, type, view, new Health(view));
}

/**
 * The in-cluster federated name `<svc>.<ns>.<fed>.svc.<cluster domain>` (labels before the domain given), or
 * undefined when `fed` is no federation of the settings.
 */
export function inClusterFederationAnswer(name: string, labels: readonly string[], type: string, view: DnsView): DnsReply | undefined {
  if (labels.length !== 4 || labels[3] !== 'svc') return undefined;
  const federation = view.settings.dns.federations.find((f) => f.name === labels[2]);
  if (federation === undefined) return undefined;
  const [service, namespace] = [labels[0]!, labels[1]!];
  const health = new Health(view);
  const local = localShard(view, namespace, service, health);
  const ttl = view.settings.dns.ttlSeconds;
  if (local?.healthy) {
    const loaded = view.store.get<Service>('Service', namespace, service)!;
    const served = withStatus(loaded.object, view.snapshot) as Service;
    return { rcode: 'NOERROR', answers: records(name, clusterIPs(served), type, ttl), additionals: [] };
  }
  const { zone, region } = view.settings.locality;
  const locality = zone !== null && region !== null ? [zone, region] : region !== null ? [region] : [];
  const target: FederationName = { federation, service, namespace, locality };
  return withCname(name, target, type, view, health);
}

function parseName(name: string, federations: readonly FederationSettings[]): FederationName | null {
  for (const federation of federations) {
    if (name === federation.domain) continue;
    const labels = name.slice(0, -(federation.domain.length + 1)).split('.');
    if (labels.length < 4 || labels.length > 6 || labels[2] !== federation.name || labels[3] !== 'svc') continue;
    return { federation, service: labels[0]!, namespace: labels[1]!, locality: labels.slice(4) };
  }
  return null;
}

function nameOf(n: FederationName): string {
  return [n.service, n.namespace, n.federation.name, 'svc', ...n.locality, n.federation.domain].join('.');
}

function answerFederated(n: FederationName, type: string, view: DnsView, health: Health): DnsReply {
  const shards = allShards(view, n.namespace, n.service, health);
  if (shards.length === 0) return NXDOMAIN;
  const name = nameOf(n);
  const [zone, region] = n.locality.length === 2 ? n.locality : [undefined, n.locality[0]];
  const serving = shards.filter(
    (s) => s.healthy && s.addresses.length > 0 && (region === undefined || s.region === region) && (zone === undefined || s.zone === zone),
  );
  if (serving.length === 0 && n.locality.length > 0) return withCname(name, { ...n, locality: n.locality.slice(1) }, type, view, health);
  const addresses = [...new Set(serving.flatMap((s) => s.addresses))];
  return { rcode: 'NOERROR', answers: records(name, addresses, type, view.settings.dns.ttlSeconds), additionals: [] };
}

/** CNAME from `name` to the wider federation name, followed by that name's own answer. */
function withCname(name: string, target: FederationName, type: string, view: DnsView, health: Health): DnsReply {
  const cname: DnsRecord = { type: 'CNAME', name, ttl: view.settings.dns.ttlSeconds, data: nameOf(target) };
  if (type === 'CNAME') return { rcode: 'NOERROR', answers: [cname], additionals: [] };
  const rest = answerFederated(target, type, view, health);
  return { rcode: 'NOERROR', answers: [cname, ...rest.answers], additionals: rest.additionals };
}

function allShards(view: DnsView, namespace: string, service: string, health: Health): Shard[] {
  const out: Shard[] = [];
  const local = localShard(view, namespace, service, health);
  if (local !== undefined) out.push(local);
  for (const cluster of view.clusters ?? []) {
    const shard = remoteShard(view.settings, cluster, namespace, service, health);
    if (shard !== undefined) out.push(shard);
  }
  return out;
}

function localShard(view: DnsView, namespace: string, name: string, health: Health): Shard | undefined {
  const loaded = view.store.get<Service>('Service', namespace, name);
  if (loaded === undefined || loaded.object.spec.type === 'ExternalName') return undefined;
  const service = withStatus(loaded.object, view.snapshot) as Service;
  const published = ingressIPs(service);
  return {
    zone: view.settings.locality.zone,
    region: view.settings.locality.region,
    addresses: published.length > 0 ? published : clusterIPs(service),
    healthy: hasHealthyEndpoint(view.store, service, view.settings, health),
  };
}

function remoteShard(settings: Settings, cluster: ClusterStore, namespace: string, name: string, health: Health): Shard | undefined {
  const loaded = cluster.store.get<Service>('Service', namespace, name);
  if (loaded === undefined || loaded.object.spec.type === 'ExternalName') return undefined;
  return {
    zone: cluster.zone,
    region: cluster.region,
    addresses: ingressIPs(loaded.object),
    healthy: hasHealthyEndpoint(cluster.store, loaded.object, settings, health),
  };
}

function hasHealthyEndpoint(store: StoreReader, service: Service, settings: Settings, health: Health): boolean {
  const namespace = service.metadata.namespace ?? 'default';
  for (const p of service.spec.ports ?? []) {
    const { resolution } = resolveBackend(store, { namespace, name: service.metadata.name, port: p.name ?? p.port }, settings);
    if (resolution.kind !== 'endpoints') continue;
    if (resolution.endpoints.some((e) => e.ready && health.healthy(e.address, e.port))) return true;
  }
  return false;
}

/** The data plane's health, read once per question; an endpoint it does not know is taken as healthy if ready. */
class Health {
  readonly #read: (() => ReadonlyMap<string, boolean>) | undefined;
  #map: ReadonlyMap<string, boolean> | undefined;

  constructor(view: DnsView) {
    this.#read = view.health;
  }

  healthy(address: string, port: number): boolean {
    this.#map ??= this.#read?.() ?? new Map();
    return this.#map.get(`${address}:${port}`) ?? true;
  }
}

function ingressIPs(service: Service): string[] {
  return (service.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip === undefined ? [] : [i.ip]));
}

function clusterIPs(service: Service): string[] {
  const ips = service.spec.clusterIPs ?? (service.spec.clusterIP === undefined ? [] : [service.spec.clusterIP]);
  return ips.filter((ip) => ip !== '' && ip !== 'None');
}

function records(name: string, addresses: readonly string[], type: string, ttl: number): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (const a of addresses) {
    if (isIPv4(a) && (type === 'A' || type === 'ANY')) out.push({ type: 'A', name, ttl, data: a });
    else if (isIPv6(a) && (type === 'AAAA' || type === 'ANY')) out.push({ type: 'AAAA', name, ttl, data: a });
  }
  return out;
}
