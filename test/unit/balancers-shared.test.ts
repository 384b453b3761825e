/**
 * The suite every balancing policy passes: spread over equal endpoints, shares that follow weights, never an
 * ejected or unhealthy endpoint, and for hashing policies, stickiness and ~1/n movement when an endpoint leaves.
 * Picks are bounded (a few thousand) and the tolerances are wide enough for random policies to pass every time.
 */
import test from 'ava';
import { Pool } from 'undici';
import type { ResolvedEndpoint } from '../../src/controllers/resolved-endpoint.ts';
import { BALANCERS, HASHING_BALANCERS } from '../../src/dataplane/balancers/registry.ts';
import { EndpointStates } from '../../src/dataplane/health/endpoint-states.ts';
import { Member, UpstreamSet } from '../../src/dataplane/upstream/upstream-set.ts';
import { DEFAULT_SETTINGS } from '../../src/config/settings-defaults.ts';
import type { Backend } from '../../src/snapshot/snapshot.ts';
import { candidates, counts, ctxFor } from '../fixtures/balancers-fixtures.ts';

const PICKS = 6000;

for (const [name, factory] of BALANCERS) {
  const hashing = HASHING_BALANCERS.has(name);

  test(`${name}: spreads requests over equal endpoints`, (t) => {
    const balancer = factory({});
    const { set } = candidates([1, 1, 1]);
    const picks = Array.from({ length: PICKS }, (_, i) => balancer.pick(set, ctxFor(i)));
    for (const c of counts(3, picks)) t.true(Math.abs(c / PICKS - 1 / 3) < 0.05, `share ${c / PICKS}`);
  });

  test(`${name}: shares follow weights 1:2:5`, (t) => {
    const balancer = factory({});
    const { set } = candidates([1, 2, 5]);
    const picks = Array.from({ length: PICKS }, (_, i) => balancer.pick(set, ctxFor(i)));
    const shares = counts(3, picks).map((c) => c / PICKS);
    [1 / 8, 2 / 8, 5 / 8].forEach((want, i) => t.true(Math.abs(shares[i]! - want) < 0.05, `endpoint ${i}: ${shares[i]} vs ${want}`));
  });

  test(`${name}: an empty set gives -1, a single endpoint always 0`, (t) => {
    const balancer = factory({});
    t.is(balancer.pick(candidates([]).set, ctxFor(1)), -1);
    t.is(balancer.pick(candidates([3]).set, ctxFor(1)), 0);
  });

  test(`${name}: never picks an ejected or actively unhealthy endpoint`, (t) => {
    const states = new EndpointStates(DEFAULT_SETTINGS.outlierDetection);
    const set = upstreamSet(name, states, 4);
    set.members[1]!.load.eject(Date.now(), { ...DEFAULT_SETTINGS.outlierDetection, baseEjectionMs: 60_000 });
    set.members[2]!.load.checked(false, '500', 1, 1);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(set.pick(ctxFor(i))!.address);
    t.deepEqual([...seen].sort(), ['127.0.0.1:1000', '127.0.0.4:1000']);
    states.dispose();
  });

  if (hashing) {
    test(`${name}: the same key always goes to the same endpoint`, (t) => {
      const balancer = factory({ hashOn: { kind: 'header', name: 'x-user' } });
      const { set } = candidates([1, 1, 1, 1, 1]);
      for (let i = 0; i < 200; i++) {
        const first = balancer.pick(set, ctxFor(i));
        // Different client address, same header: still the same endpoint.
        t.is(balancer.pick(set, { ...ctxFor(i), clientIp: '192.0.2.1' }), first);
      }
    });

    test(`${name}: when one of five endpoints leaves, only about 1/5 of keys move`, (t) => {
      const balancer = factory({});
      const five = candidates([1, 1, 1, 1, 1]).set;
      const four = candidates([1, 1, 1, 1, 1].map((w, i) => ({ weight: w, key: `http://10.0.0.${i + 1}:80` })).filter((_, i) => i !== 2)).set;
      let moved = 0;
      let movedAwayFromStayer = 0;
      const keys = 4000;
      for (let i = 0; i < keys; i++) {
        const before = five.items[balancer.pick(five, ctxFor(i))]!.key;
        const after = four.items[balancer.pick(four, ctxFor(i))]!.key;
        if (before !== after) {
          moved++;
          if (before !== 'http://10.0.0.3:80') movedAwayFromStayer++;
        }
      }
      t.true(moved / keys < 0.2 + 0.05, `moved ${moved / keys}`);
      t.true(movedAwayFromStayer / keys < 0.05, `keys of remaining endpoints moved: ${movedAwayFromStayer / keys}`);
    });
  }
}

function upstreamSet(policy: string, states: EndpointStates, n: number): UpstreamSet {
  const ready: ResolvedEndpoint[] = Array.from({ length: n }, (_, i) => ({
    address: `127.0.0.${i + 1}`,
    port: 1000,
    ready: true,
    serving: true,
    terminating: false,
  }));
  const backend: Backend = {
    key: 'default/web:80',
    service: 'default/web',
    resolution: { kind: 'endpoints', endpoints: ready, servicePort: 80 },
    ready,
    policy,
    distribution: 'Spread',
    limits: { maxRequests: 1024, maxPendingRequests: 1024, maxConnections: 128 },
    clusters: ['local'],
  };
  const balancer = BALANCERS.get(policy)!({});
  // Pools are never dispatched to here; one unconnected Pool is shared.
  const pool = new Pool('http://127.0.0.1:1');
  return new UpstreamSet(backend, balancer, states, { self: { zone: null, region: null }, overprovisioningFactor: 1.4, panicThresholdPercent: 0 }, (e, set) => {
    const origin = `http://${e.address}:${e.port}`;
    return new Member(e, origin, `${e.address}:${e.port}`, pool, states.state(origin), set);
  });
}
