/**
 * What balancing and health add to each request, measured without sockets: one upstream-set pick (plan check,
 * level draw, policy), the in-flight count, and the observer calls the proxy makes (headers, done), per policy, with
 * three endpoints and health tracking on. A proxied request costs hundreds of microseconds on this machine, so
 * this number divided by that is the share balancing and health can take of the plain path.
 *
 * Usage: node perf/pick-cost.ts [--picks N]
 */
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import type { ResolvedEndpoint } from '../src/controllers/resolved-endpoint.ts';
import { DEFAULT_SETTINGS } from '../src/config/settings-defaults.ts';
import { BALANCERS } from '../src/dataplane/balancers/registry.ts';
import { EndpointStates } from '../src/dataplane/health/endpoint-states.ts';
import { Member, UpstreamSet } from '../src/dataplane/upstream/upstream-set.ts';
import type { Backend } from '../src/snapshot/snapshot.ts';

const { values } = parseArgs({ options: { picks: { type: 'string', default: '2000000' } } });
const picks = Number(values.picks);
const pool = new Pool('http://127.0.0.1:1');
const ready: ResolvedEndpoint[] = [1, 2, 3].map((i) => ({
  address: `127.0.0.${i}`,
  port: 80,
  ready: true,
  serving: true,
  terminating: false,
  zone: i <= 2 ? 'a' : 'b',
  region: 'r',
}));
const ctx = { clientIp: '10.1.2.3', headers: { 'x-user': 'alice' } };

const rows: string[] = ['| policy | ns per request (pick + observe) |', '|---|---:|'];
for (const policy of BALANCERS.keys()) {
  const states = new EndpointStates(DEFAULT_SETTINGS.outlierDetection);
  const backend: Backend = {
    key: 'b',
    service: 's',
    resolution: { kind: 'endpoints', endpoints: ready, servicePort: 80 },
    ready,
    policy,
    distribution: 'PreferClose',
    limits: { maxRequests: 1024, maxPendingRequests: 1024, maxConnections: 128 },
    clusters: ['local'],
  };
  const set = new UpstreamSet(
    backend,
    BALANCERS.get(policy)!({}),
    states,
    { self: { zone: 'a', region: 'r' }, overprovisioningFactor: 1.4, panicThresholdPercent: 50 },
    (e, s) => {
      const origin = `http://${e.address}:80`;
      return new Member(e, origin, origin, pool, states.state(origin), s);
    },
  );
  // Half the local zone is unhealthy, so requests are split between two levels (the costlier case).
  set.members[0]!.load.checked(false, '500', 1, 1);
  const run = (n: number): number => {
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const m = set.pick(ctx)!;
      m.begin();
      m.upstreamHeaders(200, started, performance.now());
      m.upstreamDone();
    }
    return ((performance.now() - started) * 1e6) / n;
  };
  run(picks / 10);
  rows.push(`| ${policy} | ${run(picks).toFixed(0)} |`);
  states.dispose();
}
process.stdout.write(`${rows.join('\n')}\n`);
await pool.close();
