/**
 * ClusterIPs from a service CIDR, as the API server hands them out: an explicit spec.clusterIP honoured when it is
 * free and in range, with the API server's messages when it is not.
 *
 * Following the API server: the network address is never handed out, nor the broadcast address of an IPv4 CIDR;
 * the first host address is reserved (the API server gives it to the `kubernetes` Service, so manifests written
 * for a cluster never use it); and the bottom of the range is a static band, min(max(16, size/16), 256)
 * addresses (KEP-3070), that automatic allocation uses only once the rest is full. Unlike the API server, automatic
 * allocation takes the lowest free address rather than a random one, so it is deterministic for a given history.
 *
 * One allocator serves one CIDR (one family); dual-stack uses one per family.
 */
import type { AllocationResult } from './allocation-result.ts';
import { failure } from './allocation-result.ts';
import type { IpFamily, IpRange } from '../net/ip-range.ts';
import { formatIp, formatRange, parseCidr, parseIp } from '../net/ip-range.ts';

/**
 * 127.96.0.0/12 (127.96.0.0-127.111.255.255): on loopback so every ClusterIP is bindable without privileges,
 * away from 127.0.0.1 and from the default LoadBalancer pool 127.240.0.0/16.
 */
export const DEFAULT_SERVICE_CIDR = '127.96.0.0/12';

/** `namespace/name` of the Service the reserved first address is kept for (edgeway's built-in one, as in a cluster). */
export const KUBERNETES_SERVICE_KEY = 'default/kubernetes';

export type ClusterIpResult = AllocationResult<{ readonly ip: string }>;

/**
 * Size of the static band at the bottom of a service CIDR (KEP-3070), from the CIDR's full size (network and
 * broadcast included, as the API server computes it); CIDRs under 16 addresses have none.
 */
export function clusterIpStaticBandSize(cidrSize: bigint): bigint {
  if (cidrSize < 16n) return 0n;
  const band = cidrSize / 16n < 16n ? 16n : cidrSize / 16n;
  return band > 256n ? 256n : band;
}

export class ClusterIpAllocator {
  readonly #cidr: IpRange;
  readonly #firstUsable: bigint;
  readonly #lastUsable: bigint;
  readonly #reserved: bigint;
  readonly #upperStart: bigint;
  readonly #owners = new Map<bigint, string>();
  readonly #byOwner = new Map<string, bigint>();
  #upperCursor: bigint;
  #lowerCursor: bigint;

  /** Throws a TypeError for a malformed CIDR: the settings are validated before allocators are built. */
  constructor(cidr: string = DEFAULT_SERVICE_CIDR) {
    const parsed = parseCidr(cidr);
    if (!parsed.ok) throw new TypeError(`service CIDR: ${parsed.message}`);
    this.#cidr = parsed.value;
    const { first, last, family } = parsed.value;
    this.#firstUsable = first + 1n;
    this.#lastUsable = family === 'IPv4' ? last - 1n : last;
    this.#reserved = this.#firstUsable;
    const band = clusterIpStaticBandSize(last - first + 1n);
    const start = this.#firstUsable + band;
    this.#upperStart = start > this.#lastUsable + 1n ? this.#lastUsable + 1n : start;
    this.#upperCursor = this.#upperStart;
    this.#lowerCursor = this.#firstUsable;
  }

  get family(): IpFamily {
    return this.#cidr.family;
  }

  get cidr(): string {
    return formatRange(this.#cidr);
  }

  ownerOf(ip: string): string | undefined {
    const parsed = parseIp(ip);
    return parsed === undefined || parsed.family !== this.family ? undefined : this.#owners.get(parsed.value);
  }

  /** The address `owner` holds in this CIDR, if any. */
  heldBy(owner: string): string | undefined {
    const value = this.#byOwner.get(owner);
    return value === undefined ? undefined : formatIp({ family: this.family, value });
  }

  /** Whether an address may be handed out at all (in range, not network/broadcast/reserved). */
  contains(ip: string): boolean {
    const parsed = parseIp(ip);
    return (
      parsed !== undefined &&
      parsed.family === this.family &&
      parsed.value >= this.#firstUsable &&
      parsed.value <= this.#lastUsable &&
      parsed.value !== this.#reserved
    );
  }

  /** Gives `owner` this address (it replaces any other address `owner` held here). */
  assign(owner: string, ip: string): ClusterIpResult {
    const parsed = parseIp(ip);
    if (parsed === undefined || parsed.family !== this.family || parsed.value < this.#firstUsable || parsed.value > this.#lastUsable) {
      const what = parsed === undefined ? `"${ip}" is not an IP address` : `the provided IP (${ip}) is not in the valid range`;
      return failure('EW_CLUSTERIP_OUT_OF_RANGE', `${what}. The range of valid IPs is ${this.cidr}`);
    }
    const text = formatIp(parsed);
    if (parsed.value === this.#reserved && owner !== KUBERNETES_SERVICE_KEY) {
      return failure('EW_CLUSTERIP_OUT_OF_RANGE', `${text} is reserved: the first address of ${this.cidr} belongs to the kubernetes API Service; pick another`);
    }
    const current = this.#owners.get(parsed.value);
    if (current !== undefined && current !== owner) {
      return failure('EW_CLUSTERIP_TAKEN', `failed to allocate IP ${text}: provided IP is already allocated (to Service ${current})`);
    }
    this.#take(owner, parsed.value);
    return { ok: true, ip: text };
  }

  /** Picks the lowest free address above the static band, else in it. An owner already holding one keeps it. */
  allocate(owner: string): ClusterIpResult {
    const held = this.#byOwner.get(owner);
    if (held !== undefined) return { ok: true, ip: formatIp({ family: this.family, value: held }) };
    let v = this.#upperCursor;
    while (v <= this.#lastUsable && (this.#owners.has(v) || v === this.#reserved)) v++;
    this.#upperCursor = v;
    if (v > this.#lastUsable) {
      v = this.#lowerCursor;
      while (v < this.#upperStart && v <= this.#lastUsable && (this.#owners.has(v) || v === this.#reserved)) v++;
      this.#lowerCursor = v;
      if (v >= this.#upperStart || v > this.#lastUsable) {
        return failure('EW_CLUSTERIP_EXHAUSTED', `failed to allocate a ClusterIP: range is full (${this.cidr}); delete Services or widen the service CIDR`);
      }
    }
    this.#take(owner, v);
    return { ok: true, ip: formatIp({ family: this.family, value: v }) };
  }

  /** Frees the address `owner` holds here (idempotent). */
  release(owner: string): void {
    const value = this.#byOwner.get(owner);
    if (value === undefined) return;
    this.#byOwner.delete(owner);
    this.#owners.delete(value);
    if (value >= this.#upperStart) {
      if (value < this.#upperCursor) this.#upperCursor = value;
    } else if (value < this.#lowerCursor) {
      this.#lowerCursor = value;
    }
  }

  #take(owner: string, value: bigint): void {
    this.release(owner);
    this.#owners.set(value, owner);
    this.#byOwner.set(owner, value);
  }
}
