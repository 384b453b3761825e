/**
 * How the primary merges what its workers hold: outlier ejection and panic happen in the workers, so `/metrics` and
 * `/debug/upstreams` take them from the workers (metrics-merge.ts, upstreams-merge.ts), while endpoints and active
 * health stay the primary's.
 */
import test from 'ava';
import { Counter, Gauge, Registry } from 'prom-client';
import type { BackendStatus, EndpointStatus } from '../../src/dataplane/upstream/upstream-status.ts';
import { mergeMetrics } from '../../src/workers/metrics-merge.ts';
import { mergeUpstreams } from '../../src/workers/upstreams-merge.ts';

const LABELS = { service: 'default/web', port: '80' };

function endpoint(address: string, fields: Partial<EndpointStatus> = {}): EndpointStatus {
  return {
    address,
    zone: null,
    region: null,
    cluster: 'local',
    weight: 1,
    healthy: true,
    activeCheck: null,
    ejected: false,
    ejectedForMs: 0,
    ejections: 0,
    consecutiveFailures: 0,
    inFlight: 0,
    ewmaMs: 0,
    ...fields,
  };
}

function backend(endpoints: readonly EndpointStatus[], panic = false, reason = 'serving local'): BackendStatus {
  return {
    backend: 'default/web:80',
    service: 'default/web',
    policy: 'round-robin',
    hashOn: null,
    distribution: 'locality',
    clusters: ['local'],
    locality: { serving: [{ level: 'local', share: 1, endpoints: endpoints.length }], panic, reason },
    endpoints,
  };
}

test('/debug/upstreams: an endpoint is ejected when any worker ejects it, with each worker shown', (t) => {
  const check = { source: 'readiness', kind: 'http', target: 'http://10.0.0.2:80/', passing: true, checked: true, last: '200' };
  const own = [backend([endpoint('10.0.0.1:80'), endpoint('10.0.0.2:80', { activeCheck: check })])];
  const merged = mergeUpstreams(own, [
    {
      worker: 1,
      backends: [
        backend([
          endpoint('10.0.0.1:80', { inFlight: 2, ewmaMs: 3 }),
          endpoint('10.0.0.2:80', { healthy: false, ejected: true, ejectedForMs: 900, ejections: 1 }),
        ]),
      ],
    },
    {
      worker: 2,
      backends: [
        backend(
          [endpoint('10.0.0.1:80', { inFlight: 1, ewmaMs: 5 }), endpoint('10.0.0.2:80', { consecutiveFailures: 2, ejections: 2 })],
          true,
          'panic: too few',
        ),
      ],
    },
  ]);
  const [a, b] = merged[0]!.endpoints;
  t.like(a, { healthy: true, ejected: false, ejectedBy: 0, inFlight: 3, ewmaMs: 5 });
  t.like(b, { healthy: false, ejected: true, ejectedBy: 1, ejectedForMs: 900, ejections: 3, consecutiveFailures: 2, activeCheck: check });
  t.deepEqual(
    b!.workers.map((w) => [w.worker, w.ejected, w.ejections]),
    [
      [1, true, 1],
      [2, false, 2],
    ],
  );
  // The locality plan of a worker in panic, and every worker's plan beside it.
  t.is(merged[0]!.locality.reason, 'panic: too few');
  t.true(merged[0]!.locality.panic);
  t.deepEqual(
    merged[0]!.workers.map((w) => [w.worker, w.locality.panic]),
    [
      [1, false],
      [2, true],
    ],
  );
});

test("/debug/upstreams: active health is the primary's, and a worker without the backend yet adds nothing", (t) => {
  const own = [backend([endpoint('10.0.0.1:80', { healthy: false })])];
  const merged = mergeUpstreams(own, [{ worker: 1, backends: [] }]);
  t.like(merged[0]!.endpoints[0], { healthy: false, ejected: false, ejections: 0, workers: [] });
  t.is(merged[0]!.locality.reason, 'serving local');
  t.deepEqual(merged[0]!.workers, []);
  t.deepEqual(mergeUpstreams([], []), []);
});

/** A registry with the ejection gauges and a request counter at the given values. */
function registry(v: { ejections: number; ejected: number; healthy: number; panic: number; requests: number; endpoints: number }): Registry {
  const r = new Registry();
  const gauge = (name: string, value: number) => new Gauge({ name, help: name, labelNames: ['service', 'port'], registers: [r] }).set(LABELS, value);
  gauge('edgeway_upstream_ejections', v.ejections);
  gauge('edgeway_upstream_endpoints_ejected', v.ejected);
  gauge('edgeway_upstream_endpoints_healthy', v.healthy);
  gauge('edgeway_upstream_panic', v.panic);
  gauge('edgeway_endpoints', v.endpoints);
  new Counter({ name: 'edgeway_requests_total', help: 'requests', registers: [r] }).inc(v.requests);
  return r;
}

function value(body: string, name: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('/metrics: ejections come from the workers, summed; ejected and panic the max, healthy the min', async (t) => {
  // The primary carries no traffic: its ejection series read 0 and must not count.
  const primary = registry({ ejections: 0, ejected: 0, healthy: 2, panic: 0, requests: 0, endpoints: 2 });
  const workers = await Promise.all([
    registry({ ejections: 1, ejected: 1, healthy: 1, panic: 0, requests: 5, endpoints: 2 }).getMetricsAsJSON(),
    registry({ ejections: 2, ejected: 0, healthy: 2, panic: 1, requests: 7, endpoints: 2 }).getMetricsAsJSON(),
  ]);
  const { body } = await mergeMetrics(primary, workers);
  t.is(value(body, 'edgeway_upstream_ejections'), 3);
  t.is(value(body, 'edgeway_upstream_endpoints_ejected'), 1);
  t.is(value(body, 'edgeway_upstream_endpoints_healthy'), 1);
  t.is(value(body, 'edgeway_upstream_panic'), 1);
  t.is(value(body, 'edgeway_requests_total'), 12);
  // Endpoint counts are the primary's alone, never multiplied by the workers.
  t.is(value(body, 'edgeway_endpoints'), 2);
});

test('/metrics: with one worker every series reads as that worker has it', async (t) => {
  const primary = registry({ ejections: 0, ejected: 0, healthy: 2, panic: 0, requests: 0, endpoints: 2 });
  const only = await registry({ ejections: 4, ejected: 1, healthy: 1, panic: 1, requests: 9, endpoints: 2 }).getMetricsAsJSON();
  const { body } = await mergeMetrics(primary, [only]);
  t.deepEqual(
    [
      'edgeway_upstream_ejections',
      'edgeway_upstream_endpoints_ejected',
      'edgeway_upstream_endpoints_healthy',
      'edgeway_upstream_panic',
      'edgeway_requests_total',
    ].map((n) => value(body, n)),
    [4, 1, 1, 1, 9],
  );
});
