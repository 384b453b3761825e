/**
 * LoadBalancer address pools: MetalLB `metallb.io/v1beta1` IPAddressPool objects and pools written in edgeway's
 * settings, turned into one validated list. With no pool configured at all, a default pool on loopback lets
 * LoadBalancer Services work on any machine without privileges.
 *
 * A bad pool (unparseable address, overlap with an earlier pool, duplicate name) is left out with a diagnostic;
 * the other pools keep working.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { KubeObject } from '../k8s/types.ts';
import { objectRef } from '../k8s/types.ts';
import type { IpAddress, IpRange } from '../net/ip-range.ts';
import { formatRange, isBuggyIp, parseAddressSpec, rangeContains, rangesOverlap } from '../net/ip-range.ts';
import { readServiceAllocation, type ServiceAllocationRule } from './service-allocation.ts';

/** The fields of MetalLB's IPAddressPool that edgeway reads. */
export interface IPAddressPool extends KubeObject {
  kind: 'IPAddressPool';
  spec: { addresses: string[]; autoAssign?: boolean; avoidBuggyIPs?: boolean; serviceAllocation?: unknown };
}

/** A pool as written in the settings document. */
export interface PoolSettings {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly autoAssign?: boolean;
  readonly avoidBuggyIPs?: boolean;
}

export interface AddressPool {
  readonly name: string;
  readonly ranges: readonly IpRange[];
  /** False: only Services that ask for this pool (or for one of its IPs) get addresses from it. */
  readonly autoAssign: boolean;
  /** Skip IPv4 addresses ending in .0 or .255. */
  readonly avoidBuggyIPs: boolean;
  /** Which Services the pool is for, and its priority (service-allocation.ts); absent: every Service. */
  readonly serviceAllocation?: ServiceAllocationRule;
}

/**
 * Used only when no pool is configured at all: 127.240.0.0/16 is on loopback (bindable without privileges on
 * Linux), far from 127.0.0.1 and from the default service CIDR 127.96.0.0/12. avoidBuggyIPs makes the first
 * address handed out 127.240.0.1 rather than the less obvious 127.240.0.0.
 */
export const DEFAULT_POOL: AddressPool = {
  name: 'default',
  ranges: [{ family: 'IPv4', first: 0x7ff00000n, last: 0x7ff0ffffn, prefix: 16 }],
  autoAssign: true,
  avoidBuggyIPs: true,
};

/** Whether the pool may hand out this address (inside one of its ranges, and not a buggy one if it avoids them). */
export function poolContains(pool: AddressPool, ip: IpAddress): boolean {
  if (pool.avoidBuggyIPs && isBuggyIp(ip.family, ip.value)) return false;
  return pool.ranges.some((range) => rangeContains(range, ip));
}

interface Candidate {
  readonly name: string;
  readonly addresses: readonly unknown[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  readonly serviceAllocation?: unknown;
  /** Builds a diagnostic about this candidate at a field path. */
  readonly report: (path: readonly (string | number)[], message: string) => Diagnostic;
}

function fromObject(loaded: LoadedObject<IPAddressPool>): Candidate {
  const { object } = loaded;
  const spec = object.spec ?? { addresses: [] };
  return {
    name: object.metadata.name,
    addresses: Array.isArray(spec.addresses) ? spec.addresses : [],
    autoAssign: spec.autoAssign !== false,
    avoidBuggyIPs: spec.avoidBuggyIPs === true,
    serviceAllocation: spec.serviceAllocation,
    report: (path, message) => ({
      severity: 'error',
      code: 'EW_POOL_INVALID',
      message,
      position: loaded.locate(path),
      object: objectRef(object),
      field: formatFieldPath(path),
    }),
  };
}

function fromSettings(pool: PoolSettings, index: number): Candidate {
  return {
    name: pool.name,
    addresses: pool.addresses,
    autoAssign: pool.autoAssign !== false,
    avoidBuggyIPs: pool.avoidBuggyIPs === true,
    report: (path, message) => ({
      severity: 'error',
      code: 'EW_POOL_INVALID',
      message,
      object: `EdgewaySettings pool ${pool.name}`,
      field: formatFieldPath(['addressPools', index, ...path]),
    }),
  };
}

/**
 * Builds the pool list, sorted by name (the order automatic allocation tries them in). Settings pools come first
 * when checking duplicates and overlaps, then objects in the order given. With nothing configured, DEFAULT_POOL.
 */
export function buildPools(
  objects: readonly LoadedObject<IPAddressPool>[],
  settings: readonly PoolSettings[] = [],
): { readonly pools: readonly AddressPool[]; readonly diagnostics: readonly Diagnostic[] } {
  if (objects.length === 0 && settings.length === 0) return { pools: [DEFAULT_POOL], diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const pools: AddressPool[] = [];
  const candidates = [...settings.map(fromSettings), ...objects.map(fromObject)];
  for (const candidate of candidates) {
    const existing = pools.find((p) => p.name === candidate.name);
    if (existing !== undefined) {
      diagnostics.push(candidate.report(['metadata', 'name'], `a pool named "${candidate.name}" is already defined; rename one of them (this one is ignored)`));
      continue;
    }
    const ranges: IpRange[] = [];
    let bad = false;
    candidate.addresses.forEach((spec, i) => {
      const path = ['spec', 'addresses', i];
      if (typeof spec !== 'string') {
        diagnostics.push(candidate.report(path, 'each address must be a string such as 192.168.1.0/24 or 192.168.1.10-192.168.1.20'));
        bad = true;
        return;
      }
      const parsed = parseAddressSpec(spec);
      if (!parsed.ok) {
        diagnostics.push(candidate.report(path, `${parsed.message}; the pool is ignored until this is fixed`));
        bad = true;
        return;
      }
      const clash = [...pools.flatMap((p) => p.ranges.map((r) => ({ p, r }))), ...ranges.map((r) => ({ p: undefined, r }))].find(({ r }) =>
        rangesOverlap(r, parsed.value),
      );
      if (clash !== undefined) {
        const where = clash.p === undefined ? 'another entry of this pool' : `pool "${clash.p.name}"`;
        diagnostics.push(
          candidate.report(path, `${spec} overlaps ${formatRange(clash.r)} of ${where}; an address may belong to one pool only (the pool is ignored)`),
        );
        bad = true;
        return;
      }
      ranges.push(parsed.value);
    });
    if (bad) continue;
    if (ranges.length === 0) {
      diagnostics.push(candidate.report(['spec', 'addresses'], 'the pool has no addresses; list at least one CIDR or range'));
      continue;
    }
    const allocation = readServiceAllocation(candidate.serviceAllocation, candidate.report);
    diagnostics.push(...allocation.diagnostics);
    const pool: AddressPool = { name: candidate.name, ranges, autoAssign: candidate.autoAssign, avoidBuggyIPs: candidate.avoidBuggyIPs };
    pools.push(allocation.rule === undefined ? pool : { ...pool, serviceAllocation: allocation.rule });
  }
  pools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { pools, diagnostics };
}
