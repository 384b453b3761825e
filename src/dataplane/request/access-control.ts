/**
 * Enforces a route's access policy (routing/access-policy.ts) before a request or an upgrade is forwarded, in the
 * order that is cheapest for a refused client: a route whose protective annotations cannot be used refuses all
 * (503); then the source ranges, denylist first (403); then the per-client limits unless the client is in
 * `limit-whitelist` (503); then basic authentication (401, with the realm's challenge). Routes without a policy
 * never reach this file.
 *
 * The client is the address edgeway already works with: the connection's peer, or, when that peer is a trusted
 * proxy, the last address in X-Forwarded-For that is not a trusted proxy itself (nginx's real_ip_recursive), so
 * a client cannot name its own address unless it is trusted to.
 *
 * A request counted against `limit-connections` is released when its response (or tunnel socket) closes, through
 * one shared listener: no closure per request.
 */
import { BlockList, isIP } from 'node:net';
import type { Code } from '../../errors.ts';
import type { AccessPolicy } from '../../routing/access-policy.ts';
import { clientPeer } from './client-peer.ts';
import { ClientLimitRegistry, type ClientLimiter } from './client-limits.ts';
import { checkPassword } from './password-check.ts';
import type { RequestRecord } from './request-record.ts';
import type { TrustedProxies } from './trusted-proxies.ts';

/** null: forward the request; a code: refuse it with that code; a promise of either while a password is checked. */
export type AccessVerdict = Code | null | Promise<Code | null>;

/** What the release listener is attached to: a response, or an upgrade's client socket. */
export interface Closable {
  on(event: 'close', listener: () => void): unknown;
}

interface Held {
  readonly limiter: ClientLimiter;
  readonly ip: string;
}

const kHeld = Symbol('edgeway.accessHeld');
type Holder = Closable & { [kHeld]?: Held };

/** Shared 'close' listener: ends the request's in-flight count. */
function release(this: Holder): void {
  const held = this[kHeld];
  if (held === undefined) return;
  delete this[kHeld];
  held.limiter.close(held.ip);
}

const lists = new WeakMap<readonly string[], BlockList>();

/** The CIDR list as a BlockList, built once per compiled list. */
function blockList(cidrs: readonly string[]): BlockList {
  let list = lists.get(cidrs);
  if (list === undefined) {
    list = new BlockList();
    for (const cidr of cidrs) {
      const slash = cidr.indexOf('/');
      const address = cidr.slice(0, slash);
      list.addSubnet(address, Number(cidr.slice(slash + 1)), isIP(address) === 6 ? 'ipv6' : 'ipv4');
    }
    lists.set(cidrs, list);
  }
  return list;
}

function inList(cidrs: readonly string[], ip: string): boolean {
  if (cidrs.length === 0 || ip === '') return false;
  return blockList(cidrs).check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
}

/** The client address for access rules (see the module comment). */
export function accessClientIp(rec: RequestRecord, trusted: TrustedProxies): string {
  const peer = clientPeer(rec.req, trusted);
  rec.clientIp = peer.ip;
  rec.trusted = peer.trusted;
  if (!peer.trusted) return peer.ip;
  const header = rec.headers['x-forwarded-for'];
  if (header === undefined) return peer.ip;
  const hops = (Array.isArray(header) ? header.join(',') : header).split(',');
  let client = peer.ip;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!.trim();
    const ip = hop.startsWith('::ffff:') ? hop.slice(7) : hop;
    if (isIP(ip) === 0) break;
    client = ip;
    if (!trusted.has(ip)) break;
  }
  return client;
}

export class AccessControl {
  readonly limits: ClientLimitRegistry;

  constructor(limits = new ClientLimitRegistry()) {
    this.limits = limits;
  }

  /**
   * @param closable released from `limit-connections` when it emits 'close': the response, or the upgrade's socket.
   */
  admit(rec: RequestRecord, access: AccessPolicy, trusted: TrustedProxies, closable: Closable): AccessVerdict {
    if (access.refuseAll) return 'EDGEWAY_ACCESS_MISCONFIGURED';
    const ip = accessClientIp(rec, trusted);
    if (inList(access.deny, ip)) return 'EDGEWAY_ACCESS_DENIED';
    if (access.allow !== null && !inList(access.allow, ip)) return 'EDGEWAY_ACCESS_DENIED';
    const limits = access.limits;
    if (limits !== null && !inList(limits.exempt, ip)) {
      const limiter = this.limits.limiter(access, limits);
      if (!limiter.takeRate(ip, performance.now())) return 'EDGEWAY_RATE_LIMITED';
      if (limits.connections > 0) {
        if (!limiter.open(ip)) return 'EDGEWAY_CONNECTION_LIMITED';
        (closable as Holder)[kHeld] = { limiter, ip };
        closable.on('close', release);
      }
    }
    const auth = access.auth;
    if (auth === null) return null;
    const ok = checkPassword(auth, rec.headers.authorization);
    if (ok === true) return null;
    if (ok === false) return 'EDGEWAY_AUTH_REQUIRED';
    if (ok === 'busy') return 'EDGEWAY_AUTH_BUSY';
    return ok.then((passed) => (passed ? null : 'EDGEWAY_AUTH_REQUIRED'));
  }
}
