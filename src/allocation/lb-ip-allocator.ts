/**
 * LoadBalancer IPs from address pools, in MetalLB's manner: pure in-memory maps, no clock or I/O.
 * `assign` gives a Service the IPs it asked for, `allocate` picks the lowest free (or compatibly shared) address of
 * the first eligible pool in name order, `release` frees them and is idempotent. Each call returns a result; a
 * failure leaves the Service's previous IPs untouched.
 *
 * Lowest-free search keeps a cursor per pool range below which every address is known to be used, so allocating N
 * Services costs about N steps rather than N².
 */
import type { Service } from '../k8s/types.ts';
import type { AddressPool } from './address-pool.ts';
import { poolContains } from './address-pool.ts';
import type { AllocationResult } from './allocation-result.ts';
import { failure, serviceKey } from './allocation-result.ts';
import type { IpAddress, IpFamily } from '../net/ip-range.ts';
import { formatIp, isBuggyIp, parseIp, rangeContains } from '../net/ip-range.ts';
import { lbRequestOf, metallbAnnotation } from './lb-request.ts';
import type { SharingInfo, SharingRefusal } from './sharing.ts';
import { poolServes, priorityRank, type NamespaceLabels } from './service-allocation.ts';
import { sharingInfoOf, sharingRefusal } from './sharing.ts';

export type LbResult = AllocationResult<{ readonly pool: string; readonly ips: readonly string[] }>;

interface Holding {
  readonly pool: AddressPool;
  readonly ips: readonly IpAddress[];
  readonly info: SharingInfo;
}

export class LbIpAllocator {
  readonly #pools: readonly AddressPool[];
  readonly #poolByName: ReadonlyMap<string, AddressPool>;
  readonly #holdings = new Map<string, Holding>();
  /** Services on each address, per family, keyed by the address value. */
  readonly #occupants: Record<IpFamily, Map<bigint, string[]>> = { IPv4: new Map(), IPv6: new Map() };
  /** Services by allow-shared-ip key, so a sharing Service looks only at its possible partners. */
  readonly #bySharingKey = new Map<string, Set<string>>();
  readonly #namespaceLabels: NamespaceLabels;
  /** The pools automatic allocation tries, in order: by serviceAllocation priority, then by name. */
  readonly #byPriority: readonly AddressPool[];
  /** Per pool, per range: every address below the cursor is in use. */
  readonly #cursors = new Map<string, bigint[]>();

  /** `pools` should be sorted by name (buildPools does): automatic allocation tries them in that order. */
  /** @param namespaceLabels the labels of a namespace, for pools whose serviceAllocation selects namespaces. */
  constructor(pools: readonly AddressPool[], namespaceLabels: NamespaceLabels = () => undefined) {
    this.#pools = pools;
    this.#namespaceLabels = namespaceLabels;
    this.#byPriority = [...pools].sort((a, b) => priorityRank(a.serviceAllocation) - priorityRank(b.serviceAllocation) || 0);
    this.#poolByName = new Map(pools.map((p) => [p.name, p]));
    for (const pool of pools)
      this.#cursors.set(
        pool.name,
        pool.ranges.map((r) => r.first),
      );
  }

  get pools(): readonly AddressPool[] {
    return this.#pools;
  }

  /** The IPs and pool a Service holds, if any. */
  holding(key: string): { readonly pool: string; readonly ips: readonly string[] } | undefined {
    const h = this.#holdings.get(key);
    return h === undefined ? undefined : { pool: h.pool.name, ips: h.ips.map(formatIp) };
  }

  /**
   * Gives the Service exactly these IPs (at most one per family, all from one pool). `pool`, when given, must be
   * the pool they belong to (the Service's address-pool annotation).
   */
  assign(service: Service, ips: readonly (string | IpAddress)[], pool?: string): LbResult {
    const key = serviceKey(service.metadata);
    const addresses: IpAddress[] = [];
    for (const ip of ips) {
      const parsed = typeof ip === 'string' ? parseIp(ip) : ip;
      if (parsed === undefined) return failure('EW_LB_REQUEST_INVALID', `"${String(ip)}" is not an IP address`);
      addresses.push(parsed);
    }
    if (addresses.length === 0) return failure('EW_LB_REQUEST_INVALID', 'no IP address given');
    if (new Set(addresses.map((a) => a.family)).size !== addresses.length) {
      return failure('EW_LB_REQUEST_INVALID', 'more than one address of the same family; a Service gets at most one IP per family');
    }
    let owner: AddressPool | undefined;
    for (const ip of addresses) {
      const found = this.#pools.find((p) => poolContains(p, ip));
      const text = formatIp(ip);
      if (found === undefined) {
        return failure(
          'EW_LB_IP_NOT_IN_POOL',
          `${text} is not in any address pool (${this.#poolList()}); ask for an address inside a pool or add a pool that holds it`,
          `"${text}" is not allowed in config`,
        );
      }
      if (pool !== undefined && found.name !== pool) {
        return failure(
          'EW_LB_IP_NOT_IN_POOL',
          `${text} belongs to pool "${found.name}", not to the requested pool "${pool}"`,
          `requested loadBalancer IP(s) ["${text}"] is not compatible with requested address pool ${pool}`,
        );
      }
      if (owner !== undefined && owner !== found) {
        return failure(
          'EW_LB_REQUEST_INVALID',
          `the requested IPs come from different pools ("${owner.name}" and "${found.name}"); all of a Service's IPs must come from one pool`,
        );
      }
      owner = found;
    }
    if (owner === undefined) return failure('EW_LB_REQUEST_INVALID', 'no IP address given');
    if (!poolServes(owner.serviceAllocation, service, this.#namespaceLabels)) return notServed(owner);
    const info = sharingInfoOf(service);
    for (const ip of addresses) {
      const refusal = this.#refusal(info, ip);
      if (refusal !== undefined) return failure(refusal.reason, refusal.message, refusal.metallb);
    }
    this.#hold(key, { pool: owner, ips: addresses, info });
    return { ok: true, pool: owner.name, ips: addresses.map(formatIp) };
  }

  /**
   * Chooses IPs for the Service: from its address-pool annotation's pool, or else the first pool in name order
   * with autoAssign that has a usable address for each family. A Service that already holds fitting IPs keeps them.
   */
  allocate(service: Service, families?: readonly IpFamily[]): LbResult {
    const key = serviceKey(service.metadata);
    const request = lbRequestOf(service, families);
    if (!request.ok) return failure('EW_LB_REQUEST_INVALID', request.message, request.metallb);
    const wanted = request.request.families;
    const poolName = metallbAnnotation(service, 'address-pool')?.value;
    let candidates: readonly AddressPool[];
    if (poolName !== undefined) {
      const pool = this.#poolByName.get(poolName);
      if (pool === undefined) {
        return failure(
          'EW_LB_POOL_UNKNOWN',
          `address pool "${poolName}" does not exist (pools: ${this.#poolList()}); fix the address-pool annotation`,
          `unknown pool "${poolName}"`,
        );
      }
      if (!poolServes(pool.serviceAllocation, service, this.#namespaceLabels)) return notServed(pool);
      candidates = [pool];
    } else {
      candidates = this.#byPriority.filter((p) => p.autoAssign && poolServes(p.serviceAllocation, service, this.#namespaceLabels));
      if (candidates.length === 0 && this.#pools.some((p) => p.autoAssign)) {
        return failure(
          'EW_LB_NO_POOL',
          `no pool with autoAssign serves this Service (their serviceAllocation selects other namespaces or Services; pools: ${this.#poolList()})`,
          'no available IPs',
        );
      }
      if (candidates.length === 0) {
        return failure(
          'EW_LB_NO_POOL',
          `no address pool has autoAssign enabled (pools: ${this.#poolList()}); ask for one with the metallb.io/address-pool annotation`,
          'no available IPs',
        );
      }
    }
    const current = this.#holdings.get(key);
    if (
      current !== undefined &&
      candidates.includes(current.pool) &&
      current.ips.length === wanted.length &&
      wanted.every((f) => current.ips.some((ip) => ip.family === f))
    ) {
      return { ok: true, pool: current.pool.name, ips: current.ips.map(formatIp) };
    }
    const withFamilies = candidates.filter((p) => wanted.every((f) => p.ranges.some((r) => r.family === f)));
    if (withFamilies.length === 0) {
      const names = candidates.map((p) => `"${p.name}"`).join(', ');
      return failure(
        'EW_LB_NO_POOL',
        `no eligible pool (${names}) has ${wanted.join(' and ')} addresses; add such a pool or change spec.ipFamilies`,
        noAvailable(poolName),
      );
    }
    const info = sharingInfoOf(service);
    for (const pool of withFamilies) {
      const chosen: IpAddress[] = [];
      for (const family of wanted) {
        const ip = this.#lowestUsable(pool, family, info, key);
        if (ip === undefined) break;
        chosen.push(ip);
      }
      if (chosen.length === wanted.length) {
        this.#hold(key, { pool, ips: chosen, info });
        return { ok: true, pool: pool.name, ips: chosen.map(formatIp) };
      }
    }
    const names = withFamilies.map((p) => `"${p.name}"`).join(', ');
    return failure(
      'EW_LB_POOL_EXHAUSTED',
      `every address of pool ${names} is in use; the Service stays pending until one is freed or a pool is added`,
      noAvailable(poolName),
    );
  }

  /**
   * Marks IPs as held by `key` without a Service object: another replica's claim (allocate-services.ts,
   * `foreignClaims: 'reserve'`). Nothing can share them, since the claim's ports and sharing key are not known
   * here. An IP outside every pool is skipped: it could never be handed out here anyway. IPs that fall in different
   * pools here (the other replica's pools differ) are each held, the extra pools' under `key (pool name)`.
   */
  reserve(key: string, ips: readonly string[]): void {
    const byPool = new Map<AddressPool, IpAddress[]>();
    for (const ip of ips) {
      const parsed = parseIp(ip);
      const found = parsed === undefined ? undefined : this.#pools.find((p) => poolContains(p, parsed));
      if (parsed === undefined || found === undefined) continue;
      const list = byPool.get(found);
      if (list === undefined) byPool.set(found, [parsed]);
      else list.push(parsed);
    }
    let first = true;
    for (const [pool, addresses] of byPool) {
      const holder = first ? key : `${key} (pool ${pool.name})`;
      first = false;
      this.#hold(holder, { pool, ips: addresses, info: { service: holder, key: undefined, ports: [], externalTrafficPolicy: 'Cluster', selector: '' } });
    }
  }

  /** Frees the Service's IPs; releasing a Service that holds nothing does nothing. */
  release(key: string): void {
    const holding = this.#holdings.get(key);
    if (holding === undefined) return;
    this.#holdings.delete(key);
    if (holding.info.key !== undefined) this.#bySharingKey.get(holding.info.key)?.delete(key);
    for (const ip of holding.ips) {
      const map = this.#occupants[ip.family];
      const rest = (map.get(ip.value) ?? []).filter((s) => s !== key);
      if (rest.length > 0) {
        map.set(ip.value, rest);
        continue;
      }
      map.delete(ip.value);
      const cursors = this.#cursors.get(holding.pool.name);
      holding.pool.ranges.forEach((range, i) => {
        if (cursors !== undefined && rangeContains(range, ip) && ip.value < (cursors[i] ?? range.first)) cursors[i] = ip.value;
      });
    }
  }

  #poolList(): string {
    return this.#pools.length === 0 ? 'none configured' : this.#pools.map((p) => `"${p.name}"`).join(', ');
  }

  #refusal(info: SharingInfo, ip: IpAddress): SharingRefusal | undefined {
    for (const other of this.#occupants[ip.family].get(ip.value) ?? []) {
      if (other === info.service) continue;
      const holding = this.#holdings.get(other);
      if (holding === undefined) continue;
      const refusal = sharingRefusal(info, holding.info, formatIp(ip));
      if (refusal !== undefined) return refusal;
    }
    return undefined;
  }

  #hold(key: string, holding: Holding): void {
    this.release(key);
    this.#holdings.set(key, holding);
    if (holding.info.key !== undefined) {
      const group = this.#bySharingKey.get(holding.info.key);
      if (group === undefined) this.#bySharingKey.set(holding.info.key, new Set([key]));
      else group.add(key);
    }
    for (const ip of holding.ips) {
      const map = this.#occupants[ip.family];
      const list = map.get(ip.value);
      if (list === undefined) map.set(ip.value, [key]);
      else list.push(key);
    }
  }

  /** The lowest address of the family the Service may take in this pool: free, or shared compatibly. */
  #lowestUsable(pool: AddressPool, family: IpFamily, info: SharingInfo, key: string): IpAddress | undefined {
    let best = this.#lowestFree(pool, family);
    if (info.key !== undefined) {
      // Only addresses held by Services with the same sharing key can be shared; check those directly.
      for (const other of this.#bySharingKey.get(info.key) ?? []) {
        const holding = this.#holdings.get(other);
        if (other === key || holding === undefined || holding.pool !== pool) continue;
        for (const ip of holding.ips) {
          if (ip.family !== family || (best !== undefined && ip.value >= best)) continue;
          if (this.#refusal(info, ip) === undefined) best = ip.value;
        }
      }
    }
    return best === undefined ? undefined : { family, value: best };
  }

  #lowestFree(pool: AddressPool, family: IpFamily): bigint | undefined {
    const cursors = this.#cursors.get(pool.name);
    const occupied = this.#occupants[family];
    for (let i = 0; i < pool.ranges.length; i++) {
      const range = pool.ranges[i];
      if (range === undefined || range.family !== family || cursors === undefined) continue;
      let v = cursors[i] ?? range.first;
      while (v <= range.last && (occupied.has(v) || (pool.avoidBuggyIPs && isBuggyIp(family, v)))) v++;
      cursors[i] = v;
      if (v <= range.last) return v;
    }
    return undefined;
  }
}

/** MetalLB's words for running out: per pool when the Service asked for one, else across every pool. */
function noAvailable(poolName: string | undefined): string {
  return poolName === undefined ? 'no available IPs' : `no available IPs in pool "${poolName}"`;
}

/** A pool whose serviceAllocation does not select the Service, asked for by name or by one of its addresses. */
function notServed(pool: AddressPool): LbResult {
  return failure(
    'EW_LB_POOL_NOT_ALLOWED',
    `pool "${pool.name}" serves only the Services its spec.serviceAllocation selects (namespaces, namespaceSelectors, serviceSelectors), and this one is not among them`,
    `pool ${pool.name} not compatible for ip assignment`,
  );
}
