/**
 * The CIDRs whose X-Forwarded-* headers edgeway believes. Built once per settings change on Node's BlockList, which
 * matches IPv4 and IPv6 subnets without allocating per lookup.
 */
import { BlockList, isIP } from 'node:net';

export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #empty: boolean;

  /** @param cidrs already validated (`10.0.0.0/8`, `::1/128`, or a bare address). */
  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address = '', bits] = cidr.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.#list.addAddress(address, family);
      else this.#list.addSubnet(address, Number(bits), family);
    }
    this.#empty = cidrs.length === 0;
  }

  has(ip: string): boolean {
    if (this.#empty || ip === '') return false;
    return this.#list.check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
  }
}
