/**
 * The balancing a backend asks for, as the snapshot records it: the policy names the `edgeway.io/load-balancer`
 * annotation and the settings accept, which of them hash a request key and what they hash, and how locality applies.
 * The snapshot only names a policy; the data plane implements each name (dataplane/balancers/registry.ts), and a
 * test keeps its registry and these names the same, so compiling never needs data-plane code.
 */
import type { HashOnSetting } from '../config/settings.ts';

/** Every policy name, in the order messages list them. */
export const BALANCING_POLICIES = ['round-robin', 'least-request', 'ewma', 'ring-hash', 'maglev'] as const;

export type BalancingPolicy = (typeof BALANCING_POLICIES)[number];

/** Policies that hash a request key; `sessionAffinity: ClientIP` picks ring-hash when no policy is named. */
export const HASHING_POLICIES: ReadonlySet<string> = new Set<BalancingPolicy>(['ring-hash', 'maglev']);

const NAMES: ReadonlySet<string> = new Set(BALANCING_POLICIES);

export function isBalancingPolicy(name: string): name is BalancingPolicy {
  return NAMES.has(name);
}

/** What a hashing policy hashes: a request header, a cookie, or the client address (the settings' own shape). */
export type HashOn = HashOnSetting;

/** How locality applies to a backend: closest level first, only edgeway's zone, or all endpoints alike. */
export type Distribution = 'PreferClose' | 'Spread' | 'Local';
