/**
 * IP addresses and address ranges as bigints, for the allocators and for the settings that name pools and CIDRs
 * (address math sits below both, so configuration never imports allocation). Pools are written as CIDRs
 * (`192.168.10.0/24`, `fd00::/120`) or inclusive ranges (`192.168.10.5-192.168.10.9`), as MetalLB's IPAddressPool
 * accepts them; both become one `IpRange` so the allocators can count, test and walk addresses without caring how
 * they were written.
 *
 * Addresses are compared and stored by their canonical text (`formatIp`), so `fd00::0001` and `fd00::1` are one key.
 */

export type IpFamily = 'IPv4' | 'IPv6';

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

export interface IpRange {
  readonly family: IpFamily;
  /** Inclusive. */
  readonly first: bigint;
  /** Inclusive. */
  readonly last: bigint;
  /** The prefix length when written as a CIDR; ranges written `a-b` have none. */
  readonly prefix: number | undefined;
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const V4_BITS = 32;
const V6_BITS = 128;

export function familyBits(family: IpFamily): number {
  return family === 'IPv4' ? V4_BITS : V6_BITS;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are rejected, as Go's net.ParseIP (and so the API server) does: `010` is ambiguous (octal?).
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  if (text.length === 0 || text.includes('%')) return undefined;
  let groups: string[];
  let tailV4: bigint | undefined;
  let head = text;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    tailV4 = parseV4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string): string[] => (s === '' ? [] : s.split(':'));
  if (halves.length === 2) {
    const left = split(halves[0] ?? '');
    const right = split(halves[1] ?? '');
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  } else {
    groups = split(head);
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parses one address; undefined when it is not a plain IPv4 or IPv6 address. */
export function parseIp(text: string): IpAddress | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    const value = parseV6(trimmed);
    return value === undefined ? undefined : { family: 'IPv6', value };
  }
  const value = parseV4(trimmed);
  return value === undefined ? undefined : { family: 'IPv4', value };
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run compressed). */
export function formatIp(ip: IpAddress): string {
  const { value } = ip;
  if (ip.family === 'IPv4') {
    return `${(value >> 24n) & 255n}.${(value >> 16n) & 255n}.${(value >> 8n) & 255n}.${value & 255n}`;
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1; // RFC 5952: a single zero group is not compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (g: number[]): string => g.map((n) => n.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** The canonical form of an address written by a user, or undefined if it is not one. */
export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip === undefined ? undefined : formatIp(ip);
}

/** `10.0.0.0/8`; host bits set are masked off, as Go's net.ParseCIDR does. */
export function parseCidr(text: string): ParseResult<IpRange> {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, message: `"${text}" is not a CIDR (expected address/prefix, e.g. 192.168.1.0/24)` };
  const ip = parseIp(text.slice(0, slash));
  if (ip === undefined) return { ok: false, message: `"${text}" does not start with a valid IP address` };
  const prefixText = text.slice(slash + 1).trim();
  const bits = familyBits(ip.family);
  const prefix = /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) {
    return { ok: false, message: `"${text}" has an invalid prefix length (0 to ${bits} for ${ip.family})` };
  }
  const hostBits = BigInt(bits - prefix);
  const first = (ip.value >> hostBits) << hostBits;
  return { ok: true, value: { family: ip.family, first, last: first + (1n << hostBits) - 1n, prefix } };
}

/** One pool entry: a CIDR or an inclusive `first-last` range of one family. */
export function parseAddressSpec(text: string): ParseResult<IpRange> {
  const spec = text.trim();
  if (spec.includes('/')) return parseCidr(spec);
  const dash = spec.indexOf('-');
  if (dash < 0) {
    return { ok: false, message: `"${spec}" is neither a CIDR (192.168.1.0/24) nor a range (192.168.1.10-192.168.1.20)` };
  }
  const from = parseIp(spec.slice(0, dash));
  const to = parseIp(spec.slice(dash + 1));
  if (from === undefined || to === undefined) {
    return { ok: false, message: `"${spec}" is not a range of two valid IP addresses (e.g. 192.168.1.10-192.168.1.20)` };
  }
  if (from.family !== to.family) return { ok: false, message: `"${spec}" mixes IPv4 and IPv6 addresses` };
  if (from.value > to.value) return { ok: false, message: `"${spec}" ends before it starts` };
  return { ok: true, value: { family: from.family, first: from.value, last: to.value, prefix: undefined } };
}

export function rangeSize(range: IpRange): bigint {
  return range.last - range.first + 1n;
}

export function rangeContains(range: IpRange, ip: IpAddress): boolean {
  return ip.family === range.family && ip.value >= range.first && ip.value <= range.last;
}

export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/**
 * IPv4 addresses ending in .0 or .255, which some old firmware treats as network or broadcast addresses even inside
 * larger subnets (MetalLB's avoidBuggyIPs). Never true for IPv6.
 */
export function isBuggyIp(family: IpFamily, value: bigint): boolean {
  if (family !== 'IPv4') return false;
  const low = value & 255n;
  return low === 0n || low === 255n;
}

/** How many addresses of the range avoidBuggyIPs leaves out. */
export function buggyCount(range: IpRange): bigint {
  if (range.family !== 'IPv4') return 0n;
  // Addresses ≤ n with the last octet equal to k: floor((n - k) / 256) + 1 when n ≥ k.
  const upTo = (n: bigint, k: bigint): bigint => (n < k ? 0n : (n - k) / 256n + 1n);
  const count = (k: bigint): bigint => upTo(range.last, k) - upTo(range.first - 1n, k);
  return count(0n) + count(255n);
}

/** Addresses of the range from `from` (default the first) upwards, skipping buggy ones when asked. */
export function* rangeAddresses(range: IpRange, avoidBuggyIPs = false, from = range.first): Generator<bigint> {
  for (let v = from < range.first ? range.first : from; v <= range.last; v++) {
    if (avoidBuggyIPs && isBuggyIp(range.family, v)) continue;
    yield v;
  }
}

/** `a-b` or the CIDR, for messages. */
export function formatRange(range: IpRange): string {
  const first = formatIp({ family: range.family, value: range.first });
  if (range.prefix !== undefined) return `${first}/${range.prefix}`;
  return `${first}-${formatIp({ family: range.family, value: range.last })}`;
}
