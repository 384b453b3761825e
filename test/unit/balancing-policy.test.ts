/**
 * The snapshot names balancing policies (src/snapshot/balancing-policy.ts) and the data plane implements them
 * (src/dataplane/balancers/registry.ts): the two lists must be the same, or a Service could be compiled with a
 * policy the data plane silently replaces, or a policy be implemented that no annotation can choose.
 */
import test from 'ava';
import { BALANCERS, DEFAULT_BALANCER, HASHING_BALANCERS } from '../../src/dataplane/balancers/registry.ts';
import { BALANCING_POLICIES, HASHING_POLICIES, isBalancingPolicy } from '../../src/snapshot/balancing-policy.ts';

test('the data plane registry implements exactly the policy names the snapshot knows', (t) => {
  t.deepEqual([...BALANCERS.keys()].sort(), [...BALANCING_POLICIES].sort());
});

test('the registry hashes exactly the policies the snapshot gives a hash key', (t) => {
  t.deepEqual([...HASHING_BALANCERS].sort(), [...HASHING_POLICIES].sort());
});

test("the registry's fallback is a policy the snapshot knows", (t) => {
  t.true(isBalancingPolicy(DEFAULT_BALANCER));
});

test('isBalancingPolicy accepts the names and nothing else', (t) => {
  for (const name of BALANCING_POLICIES) t.true(isBalancingPolicy(name));
  for (const name of ['', 'Round-Robin', 'random', 'constructor', 'toString']) t.false(isBalancingPolicy(name), name);
});
