/**
 * How one replica's compiled allocations go into the document all replicas share (shared-allocation.ts). Pure: the
 * document read (with its revision), this replica's compiled state and what it knows in, the document to save out.
 * The save itself is a compare-and-swap on the revision read (shared-address-keeper.ts), so the result is only
 * stored if nobody else wrote in between; otherwise the replica recompiles from the newer document and merges again.
 *
 * Rules, per Service key:
 * - compiled here (it holds addresses in this replica's compile): its record is this replica's, and its holder is
 *   added: `api` for a Service written through the API, else this replica's name (its files or built-ins define it);
 * - not compiled here: this replica no longer holds it. Also `api` lets go of it when the Service is absent from this
 *   replica's store AND the replica has seen every API write up to the document's revision (the claim was made at
 *   or before that revision, so the object's creation has been seen and it is really deleted; with an older view it
 *   may simply not have arrived yet), or when the Service is here, written through the API, and holds nothing
 *   (rejected: every replica sees the same API object, so it holds nothing anywhere);
 * - a record left with no holder is released: its addresses are free for the next compile of any replica.
 * Records of other replicas' Services are kept as read; this replica's compile reserved them (foreignClaims).
 */
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Service } from '../k8s/types.ts';
import type { AllocationState, ServiceRecord } from './allocation-state.ts';
import { API_HOLDER, type SharedAllocation } from './shared-allocation.ts';

/** Where a Service in this replica's store comes from: the API (shared through etcd), or this replica alone. */
export type ServiceOrigin = 'api' | 'local';

export interface ClaimContext {
  /** This replica's name (`--replica-name`); never `api`. */
  readonly replica: string;
  /** Every Service in this replica's store, by `namespace/name`, compiled or not. */
  readonly origins: ReadonlyMap<string, ServiceOrigin>;
  /** The etcd revision up to which this replica has seen the API objects (its watch's progress). */
  readonly apiSeenRevision: number;
}

/** The shared document as read, with etcd's mod revision of it (0: none stored yet). */
export interface ReadAllocation {
  readonly document: SharedAllocation;
  readonly revision: number;
}

/** The origins of a store's Services, for ClaimContext. */
export function serviceOrigins(services: readonly LoadedObject<Service>[]): Map<string, ServiceOrigin> {
  const origins = new Map<string, ServiceOrigin>();
  for (const { object, origin } of services) {
    origins.set(`${object.metadata.namespace ?? 'default'}/${object.metadata.name}`, origin.kind === 'api' ? 'api' : 'local');
  }
  return origins;
}

/** The document to save: `read` with this replica's compiled state merged in by the rules above. */
export function mergeClaims(read: ReadAllocation, compiled: AllocationState, context: ClaimContext): SharedAllocation {
  const { document, revision } = read;
  const { replica, origins, apiSeenRevision } = context;
  const keys = [...new Set([...Object.keys(document.services), ...Object.keys(compiled.services)])].sort(compare);
  const services: [string, ServiceRecord][] = [];
  const holders: [string, readonly string[]][] = [];
  for (const key of keys) {
    const origin = origins.get(key);
    let held = (document.holders[key] ?? []).filter((h) => h !== replica);
    let record = compiled.services[key];
    if (record !== undefined) {
      const own = origin === 'api' ? API_HOLDER : replica;
      if (!held.includes(own)) held = [...held, own].sort(compare);
    } else {
      const gone = origin === undefined ? apiSeenRevision >= revision : origin === 'api';
      if (gone) held = held.filter((h) => h !== API_HOLDER);
      record = document.services[key];
    }
    if (record === undefined || held.length === 0) continue;
    services.push([key, record]);
    holders.push([key, held]);
  }
  return { version: 1, services: Object.fromEntries(services), holders: Object.fromEntries(holders) };
}

/**
 * Addresses of this replica's compiled records that a record it keeps for others also has, as `address (ours, theirs)`.
 * Empty whenever the compile reserved the document it merges into (foreignClaims 'reserve' from the same revision);
 * anything else means the compile did not see those claims, and saving it would hand one address to two Services.
 * Sharing an IP between two compiled Services (allow-shared-ip) is the allocator's business and not counted.
 */
export function claimCollisions(merged: SharedAllocation, compiled: AllocationState): string[] {
  const ours = new Map<string, string>();
  for (const [key, record] of Object.entries(compiled.services)) for (const a of addressesOf(record)) ours.set(a, key);
  const collisions: string[] = [];
  for (const [key, record] of Object.entries(merged.services)) {
    if (compiled.services[key] !== undefined) continue;
    for (const a of addressesOf(record)) {
      const owner = ours.get(a);
      if (owner !== undefined) collisions.push(`${a} (${owner}, ${key})`);
    }
  }
  return collisions;
}

function addressesOf(record: ServiceRecord): string[] {
  const out = record.clusterIPs.map((ip) => `ClusterIP ${ip}`);
  for (const n of record.nodePorts) out.push(`NodePort ${n.nodePort}/${n.protocol}`);
  for (const ip of record.loadBalancer?.ips ?? []) out.push(`LoadBalancer IP ${ip}`);
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
