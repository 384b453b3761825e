/**
 * The 32-bit hashes the hashing policies use, and the request key they hash. The key is read from the request only
 * by the policy that needs it (so round robin costs nothing for it); a request without the header or cookie falls
 * back to its client address, which keeps it sticky rather than scattering it at random.
 */
import { cookieValue } from '../../routing/cookie-value.ts';
import type { HashOn } from '../../snapshot/balancing-policy.ts';
import type { PickContext } from './balancer.ts';

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32 so nearby strings land far apart. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function requestHash(on: HashOn, ctx: PickContext): number {
  if (on.kind === 'header') {
    const value = ctx.headers?.[on.name];
    if (typeof value === 'string') return hash32(value);
    if (Array.isArray(value) && value.length > 0) return hash32(value[0]!);
  } else if (on.kind === 'cookie') {
    const value = cookieValue(ctx.headers?.cookie, on.name);
    if (value !== undefined) return hash32(value);
  }
  return hash32(ctx.clientIp);
}
