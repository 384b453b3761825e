/**
 * The allocation controller: given the Services, the pools and what was recorded last time, it computes every
 * Service's ClusterIPs, NodePorts and LoadBalancer IPs. It converges: fed its own output it changes nothing.
 *
 * Order makes it deterministic for a given history. First, recorded allocations are honoured (re-checked against
 * today's pools and ranges; one that no longer fits is dropped with a diagnostic and redone). Then everything still
 * missing is allocated, Services in order of creationTimestamp (undated ones, as written in files, first), then
 * namespace/name. Deleted Services are simply absent, so their addresses are free for a Service left pending
 * before.
 *
 * A LoadBalancer IP that cannot be had leaves the Service pending (it keeps its ClusterIP and NodePorts); a
 * ClusterIP or NodePort that cannot be had rejects the Service as the API server would, and it holds nothing.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Service } from '../k8s/types.ts';
import { objectRef } from '../k8s/types.ts';
import type { AddressPool } from './address-pool.ts';
import type { AllocationCode } from './allocation-result.ts';
import type { AllocationState, NodePortRecord, ServiceRecord } from './allocation-state.ts';
import { ClusterIpAllocator, DEFAULT_SERVICE_CIDR } from './cluster-ip-allocator.ts';
import type { IpFamily } from '../net/ip-range.ts';
import { canonicalIp, parseIp } from '../net/ip-range.ts';
import { LbIpAllocator } from './lb-ip-allocator.ts';
import type { FieldPath } from './lb-request.ts';
import { EDGEWAY_LB_CLASS, lbRequestOf } from './lb-request.ts';
import type { PortRange, PortResult } from './port-allocator.ts';
import { DEFAULT_NODE_PORT_RANGE, NodePortAllocator } from './port-allocator.ts';
import type { ServiceDemand } from './service-demand.ts';
import { serviceDemand } from './service-demand.ts';
import type { NamespaceLabels } from './service-allocation.ts';

export interface AllocationOptions {
  /** The spec.loadBalancerClass edgeway serves; LoadBalancer Services with another class are left alone. */
  readonly loadBalancerClass: string;
  readonly nodePortRange: PortRange;
  /** At most one CIDR per family; the first one's family is the default for Services that name none. */
  readonly serviceCIDRs: readonly string[];
  /** Namespace labels, for pools whose serviceAllocation selects namespaces by label; none: no labels. */
  readonly namespaceLabels?: NamespaceLabels;
  /** What to do with recorded Services that are not among the Services given; none: 'release'. */
  readonly foreignClaims?: ForeignClaims;
}

/**
 * Records in `previous` of Services that are not among the Services given. On one machine those Services were
 * deleted, so their addresses are free again ('release'). With replicas sharing one allocation document, they are
 * other replicas' claims (Services defined by another replica's files, or API objects not seen here yet): their
 * ClusterIPs, NodePorts and LoadBalancer IPs are taken and never handed out here ('reserve'). Reserved claims are
 * not part of the outcome's state: merging them back is merge-claims.ts's business.
 */
export type ForeignClaims = 'reserve' | 'release';

export const DEFAULT_ALLOCATION_OPTIONS: AllocationOptions = {
  loadBalancerClass: EDGEWAY_LB_CLASS,
  nodePortRange: DEFAULT_NODE_PORT_RANGE,
  serviceCIDRs: [DEFAULT_SERVICE_CIDR],
};

export interface NodePortAssignment {
  /** Index in spec.ports. */
  readonly index: number;
  readonly name: string | undefined;
  readonly port: number;
  readonly protocol: NodePortRecord['protocol'];
  readonly nodePort: number;
}

export type LoadBalancerState =
  | { readonly kind: 'none' }
  | { readonly kind: 'not-ours'; readonly loadBalancerClass: string }
  | { readonly kind: 'assigned'; readonly pool: string; readonly ips: readonly string[] }
  | { readonly kind: 'pending'; readonly reason: AllocationCode; readonly message: string; readonly metallb?: string };

/** What users see for one Service: `get` shows the IPs or `<pending>`, `describe` the reason. */
export interface ServiceAllocation {
  readonly service: string;
  readonly headless: boolean;
  readonly clusterIPs: readonly string[];
  readonly nodePorts: readonly NodePortAssignment[];
  readonly loadBalancer: LoadBalancerState;
  /** Set when the Service was refused as the API server would refuse it; it then holds no addresses. */
  readonly rejected: { readonly reason: AllocationCode | 'EW_FIELD_INVALID'; readonly message: string } | null;
}

export interface AllocationOutcome {
  readonly state: AllocationState;
  readonly results: ReadonlyMap<string, ServiceAllocation>;
  readonly diagnostics: readonly Diagnostic[];
}

interface Work {
  readonly loaded: LoadedObject<Service>;
  readonly demand: ServiceDemand;
  clusterIPs: string[];
  /** By spec.ports index. */
  readonly nodePorts: Map<number, number>;
  rejected: ServiceAllocation['rejected'];
}

function byCreation(a: LoadedObject<Service>, b: LoadedObject<Service>): number {
  const ta = a.object.metadata.creationTimestamp ?? '';
  const tb = b.object.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.object.metadata.namespace ?? 'default'}/${a.object.metadata.name}`;
  const kb = `${b.object.metadata.namespace ?? 'default'}/${b.object.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Computes every Service's addresses; pure: the inputs are not modified. */
export function allocateAll(
  services: readonly LoadedObject<Service>[],
  pools: readonly AddressPool[],
  previous: AllocationState,
  options: AllocationOptions = DEFAULT_ALLOCATION_OPTIONS,
): AllocationOutcome {
  if (options.foreignClaims !== 'reserve') return allocateOnce(services, pools, previous, options, NONE);
  // A Service here that ends up holding nothing (rejected, or nothing to hold) may still be held by another replica
  // whose files define it differently, and then its record stays in the shared document (merge-claims.ts): so its
  // addresses must not go to anyone else here either. Allocate again with those records reserved too; the set only
  // grows, so this ends, and it takes a second round only when such a Service has a record.
  const held = new Set<string>();
  for (;;) {
    const outcome = allocateOnce(services, pools, previous, options, held);
    const before = held.size;
    for (const key of outcome.results.keys()) {
      if (previous.services[key] !== undefined && outcome.state.services[key] === undefined) held.add(key);
    }
    if (held.size === before) return outcome;
  }
}

const NONE: ReadonlySet<string> = new Set();

/** allocateAll's one round; `held`: Services here whose records are reserved as other replicas' claims. */
function allocateOnce(
  services: readonly LoadedObject<Service>[],
  pools: readonly AddressPool[],
  previous: AllocationState,
  options: AllocationOptions,
  held: ReadonlySet<string>,
): AllocationOutcome {
  const clusterIps = new Map<IpFamily, ClusterIpAllocator>();
  for (const cidr of options.serviceCIDRs) {
    const allocator = new ClusterIpAllocator(cidr);
    if (!clusterIps.has(allocator.family)) clusterIps.set(allocator.family, allocator);
  }
  const primary: IpFamily = clusterIps.keys().next().value ?? 'IPv4';
  const ports = new NodePortAllocator(options.nodePortRange);
  const lb = new LbIpAllocator(pools, options.namespaceLabels);
  const diagnostics: Diagnostic[] = [];

  const report = (w: Work, severity: Diagnostic['severity'], code: string, field: FieldPath, message: string): void => {
    diagnostics.push({ severity, code, message, position: w.loaded.locate(field), object: objectRef(w.loaded.object), field: formatFieldPath(field) });
  };

  const work: Work[] = [];
  const seen = new Set<string>();
  for (const loaded of [...services].sort(byCreation)) {
    const demand = serviceDemand(loaded.object, options.loadBalancerClass, primary);
    if (seen.has(demand.key)) continue; // duplicates are the loader's to report; the first one wins
    seen.add(demand.key);
    work.push({ loaded, demand, clusterIPs: [], nodePorts: new Map(), rejected: null });
  }

  // 0. Other replicas' claims first, so nothing of theirs is honoured or allocated for a Service here.
  if (options.foreignClaims === 'reserve') {
    for (const [key, record] of Object.entries(previous.services)) {
      if (!seen.has(key)) reserve(key, record);
      else if (held.has(key)) reserve(`${key} (as another replica holds it)`, record);
    }
  }

  // 1. Honour what was recorded, where it still matches the Service and still fits the pools and ranges.
  for (const w of work) {
    const record = previous.services[w.demand.key];
    if (record !== undefined && w.demand.invalid === undefined && !held.has(w.demand.key)) honour(w, record);
  }

  // 2. Allocate what is missing, oldest Service first.
  const results = new Map<string, ServiceAllocation>();
  for (const w of work) {
    results.set(w.demand.key, complete(w));
  }

  const records: [string, ServiceRecord][] = [];
  for (const w of work) {
    const result = results.get(w.demand.key);
    if (result === undefined || result.rejected !== null) continue;
    const loadBalancer = result.loadBalancer.kind === 'assigned' ? { pool: result.loadBalancer.pool, ips: result.loadBalancer.ips } : null;
    if (result.clusterIPs.length === 0 && result.nodePorts.length === 0 && loadBalancer === null) continue;
    const nodePorts = result.nodePorts.map((n) => ({ port: n.port, protocol: n.protocol, nodePort: n.nodePort }));
    records.push([w.demand.key, { clusterIPs: result.clusterIPs, nodePorts, loadBalancer }]);
  }
  records.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { state: { version: 1, services: Object.fromEntries(records) }, results, diagnostics };

  /** Holds a foreign record's addresses for its key; a part that does not fit today's ranges cannot collide anyway. */
  function reserve(key: string, record: ServiceRecord): void {
    for (const ip of record.clusterIPs) clusterIps.get(parseIp(ip)?.family ?? 'IPv4')?.assign(key, ip);
    for (const n of record.nodePorts) ports.assign(key, n.protocol, n.nodePort);
    if (record.loadBalancer !== null) lb.reserve(key, record.loadBalancer.ips);
  }

  function dropped(w: Work, field: FieldPath, what: string, why: string): void {
    report(w, 'warning', 'EW_ALLOCATION_DROPPED', field, `the recorded ${what} no longer fits (${why}); a new one is allocated`);
  }

  function honour(w: Work, record: ServiceRecord): void {
    const { demand } = w;
    const service = w.loaded.object;
    // ClusterIPs: only when the Service still asks for the same ones (explicitly, or by the same families).
    const families = record.clusterIPs.map((ip) => parseIp(ip)?.family);
    const sameRequest =
      demand.explicitClusterIPs.length > 0
        ? demand.explicitClusterIPs.join(',') === record.clusterIPs.map((ip) => canonicalIp(ip) ?? ip).join(',')
        : demand.clusterIPFamilies.length > 0 && families.join(',') === demand.clusterIPFamilies.join(',');
    if (sameRequest) {
      for (const ip of record.clusterIPs) {
        const allocator = clusterIps.get(parseIp(ip)?.family ?? 'IPv4');
        const result = allocator?.assign(demand.key, ip);
        if (result?.ok === true) {
          w.clusterIPs.push(result.ip);
          continue;
        }
        for (const a of clusterIps.values()) a.release(demand.key);
        w.clusterIPs = [];
        dropped(w, ['spec', 'clusterIP'], `ClusterIP ${ip}`, result?.message ?? `no service CIDR of its family is configured`);
        break;
      }
    }
    // NodePorts: per port, matched by port number and protocol.
    for (const p of demand.nodePorts) {
      const recorded = record.nodePorts.find((n) => n.port === p.port && n.protocol === p.protocol);
      if (recorded === undefined || (p.explicit !== undefined && p.explicit !== recorded.nodePort)) continue;
      const result = ports.assign(demand.key, p.protocol, recorded.nodePort);
      if (result.ok) w.nodePorts.set(p.index, result.port);
      else dropped(w, ['spec', 'ports', p.index, 'nodePort'], `nodePort ${recorded.nodePort}`, result.message);
    }
    // LoadBalancer IPs: only when the request (specific IPs, pool, families) still matches the record.
    if (demand.loadBalancer.kind !== 'ours' || record.loadBalancer === null) return;
    const request = lbRequestOf(service, demand.families);
    if (!request.ok) return;
    const { ips, pool } = request.request;
    const recordedIps = record.loadBalancer.ips.map((ip) => parseIp(ip));
    if (ips !== undefined) {
      const asked = new Set(ips.addresses.map((a) => `${a.family}:${a.value}`));
      if (recordedIps.length !== asked.size || !recordedIps.every((ip) => ip !== undefined && asked.has(`${ip.family}:${ip.value}`))) return;
    } else if (recordedIps.map((ip) => ip?.family).join(',') !== request.request.families.join(',')) {
      return;
    }
    if (pool !== undefined && pool.value !== record.loadBalancer.pool) return;
    const result = lb.assign(service, record.loadBalancer.ips, pool?.value);
    if (!result.ok) dropped(w, ['status', 'loadBalancer'], `LoadBalancer IP ${record.loadBalancer.ips.join(',')}`, result.message);
  }

  function reject(w: Work, reason: AllocationCode | 'EW_FIELD_INVALID', field: FieldPath, message: string): ServiceAllocation {
    for (const a of clusterIps.values()) a.release(w.demand.key);
    ports.releaseAll(w.demand.key);
    lb.release(w.demand.key);
    report(w, 'error', reason, field, message);
    return { service: w.demand.key, headless: w.demand.headless, clusterIPs: [], nodePorts: [], loadBalancer: { kind: 'none' }, rejected: { reason, message } };
  }

  function complete(w: Work): ServiceAllocation {
    const { demand } = w;
    const service = w.loaded.object;
    if (demand.invalid !== undefined) return reject(w, 'EW_FIELD_INVALID', demand.invalid.field, demand.invalid.message);
    // ClusterIPs.
    if (w.clusterIPs.length === 0 && demand.clusterIPFamilies.length > 0) {
      const explicit = demand.explicitClusterIPs;
      for (const [i, family] of demand.clusterIPFamilies.entries()) {
        const field: FieldPath = explicit.length > 0 ? ['spec', service.spec.clusterIPs?.length ? 'clusterIPs' : 'clusterIP'] : ['spec', 'ipFamilies'];
        const allocator = clusterIps.get(family);
        if (allocator === undefined) {
          const configured = [...clusterIps.values()].map((a) => a.cidr).join(', ');
          return reject(w, 'EW_CLUSTERIP_OUT_OF_RANGE', field, `no ${family} service CIDR is configured (service CIDRs: ${configured})`);
        }
        const ip = explicit[i];
        const result = ip !== undefined ? allocator.assign(demand.key, ip) : allocator.allocate(demand.key);
        if (!result.ok) return reject(w, result.reason, field, result.message);
        w.clusterIPs.push(result.ip);
      }
    }
    // NodePorts: explicit ones first, so an automatic pick never takes a port this Service names itself.
    const ordered = [...demand.nodePorts].sort((a, b) => Number(a.explicit === undefined) - Number(b.explicit === undefined) || a.index - b.index);
    for (const p of ordered) {
      if (w.nodePorts.has(p.index)) continue;
      const field: FieldPath = ['spec', 'ports', p.index, 'nodePort'];
      let result: PortResult;
      if (p.explicit !== undefined) {
        result = ports.assign(demand.key, p.protocol, p.explicit);
      } else {
        // The same port number under another protocol gets the same NodePort when it can (as the API server does).
        const sibling = demand.nodePorts.find((o) => o.port === p.port && o.protocol !== p.protocol && w.nodePorts.has(o.index));
        result = ports.allocate(demand.key, p.protocol, sibling === undefined ? undefined : w.nodePorts.get(sibling.index));
      }
      if (!result.ok) return reject(w, result.reason, field, result.message);
      w.nodePorts.set(p.index, result.port);
    }
    const nodePorts: NodePortAssignment[] = demand.nodePorts
      .filter((p) => w.nodePorts.has(p.index))
      .map((p) => ({ index: p.index, name: p.name, port: p.port, protocol: p.protocol, nodePort: w.nodePorts.get(p.index) ?? 0 }));
    const base = { service: demand.key, headless: demand.headless, clusterIPs: w.clusterIPs, nodePorts, rejected: null };
    // LoadBalancer IPs.
    if (demand.loadBalancer.kind !== 'ours') return { ...base, loadBalancer: demand.loadBalancer };
    const held = lb.holding(demand.key);
    if (held !== undefined) return { ...base, loadBalancer: { kind: 'assigned', pool: held.pool, ips: held.ips } };
    const request = lbRequestOf(service, demand.families);
    if (!request.ok) return pending(w, base, 'EW_LB_REQUEST_INVALID', request.field, request.message, request.metallb);
    const { ips, pool } = request.request;
    const result = ips !== undefined ? lb.assign(service, ips.addresses, pool?.value) : lb.allocate(service, demand.families);
    if (result.ok) return { ...base, loadBalancer: { kind: 'assigned', pool: result.pool, ips: result.ips } };
    const field = ips !== undefined ? ips.field : result.reason === 'EW_LB_POOL_UNKNOWN' && pool !== undefined ? pool.field : ['spec', 'type'];
    return pending(w, base, result.reason, field, result.message, result.metallb);
  }

  function pending(
    w: Work,
    base: Omit<ServiceAllocation, 'loadBalancer'>,
    reason: AllocationCode,
    field: FieldPath,
    message: string,
    metallb: string | undefined,
  ): ServiceAllocation {
    report(w, 'warning', reason, field, `LoadBalancer IP pending: ${message}`);
    return { ...base, loadBalancer: metallb === undefined ? { kind: 'pending', reason, message } : { kind: 'pending', reason, message, metallb } };
  }
}
