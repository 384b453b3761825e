/**
 * Outlier ejection with `edgeway serve --workers 2` as real processes: each worker ejects an endpoint that answers
 * 5xx after the failures it saw, and the primary — which carries no traffic — shows it: `/metrics` sums the workers'
 * ejections and `/debug/upstreams` shows the endpoint ejected, by which workers (docs/workers.md).
 */
import test from 'ava';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, settings } from '../helpers/manifests.ts';
import { waitFor } from '../helpers/servers.ts';
import { startWorkerGateway } from '../helpers/worker-gateway.ts';
import { backend, service } from '../fixtures/resilience-fixtures.ts';

interface EndpointView {
  readonly address: string;
  readonly healthy: boolean;
  readonly ejected: boolean;
  readonly ejections: number;
  readonly ejectedBy: number;
  readonly workers: readonly { readonly worker: number; readonly ejected: boolean; readonly ejections: number }[];
}

interface UpstreamView {
  readonly backends: readonly {
    readonly locality: { readonly panic: boolean };
    readonly endpoints: readonly EndpointView[];
    readonly workers: readonly { readonly worker: number }[];
  }[];
}

async function upstreams(adminUrl: string): Promise<UpstreamView> {
  return JSON.parse((await httpGet(`${adminUrl}/debug/upstreams`)).text) as UpstreamView;
}

/** The value of one series of /metrics for the app Service's port, or undefined when it is absent. */
function series(body: string, name: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes('service="default/app"') && l.includes('port="80"'));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test.serial('every worker ejects an endpoint answering 503, and /metrics and /debug/upstreams show it', async (t) => {
  const good = await backend(t, 'good', '127.0.0.1');
  const bad = await backend(t, 'bad', '127.0.0.1');
  bad.status = 503;
  const gw = await startWorkerGateway(
    t,
    docs(
      // A long ejection: once ejected, the endpoint stays out for the rest of the test in each worker.
      settings('outlierDetection: {consecutiveFailures: 2, baseEjectionTime: 60s, maxEjectionTime: 120s}\nlogging:\n  access: false'),
      INGRESS_CLASS,
      service('app', [good, bad]),
      ingress('app', [{ host: 'app.test', path: '/', service: 'app' }]),
    ),
    2,
  );
  const ids = (await gw.workers()).map((w) => w.id).sort();
  t.is(ids.length, 2);
  const badAddress = `127.0.0.1:${bad.port}`;
  const badView = async (): Promise<EndpointView> => (await upstreams(gw.adminUrl)).backends[0]!.endpoints.find((e) => e.address === badAddress)!;

  // Before any traffic nothing is ejected, and both workers are listed.
  const before = await badView();
  t.like(before, { ejected: false, ejectedBy: 0, ejections: 0 });
  t.deepEqual(before.workers.map((w) => w.worker).sort(), ids);

  // Each request opens a new connection, which the primary hands to the workers in turn: keep sending until both
  // have seen enough 503s from the bad endpoint to eject it.
  await waitFor(
    async () => {
      for (let i = 0; i < 4; i++) await httpGet(`${gw.url}/`, { host: 'app.test' });
      return (await badView()).ejectedBy === 2;
    },
    20_000,
    'both workers to eject the endpoint answering 503',
  );

  const view = await upstreams(gw.adminUrl);
  const b = view.backends[0]!;
  const ejected = b.endpoints.find((e) => e.address === badAddress)!;
  t.like(ejected, { ejected: true, healthy: false, ejectedBy: 2 });
  t.deepEqual(
    ejected.workers.map((w) => [w.worker, w.ejected]).sort(),
    ids.map((id) => [id, true]),
  );
  t.is(
    ejected.ejections,
    ejected.workers.reduce((n, w) => n + w.ejections, 0),
  );
  t.true(ejected.ejections >= 2);
  t.like(
    b.endpoints.find((e) => e.address === `127.0.0.1:${good.port}`),
    { ejected: false, healthy: true, ejectedBy: 0 },
  );
  t.false(b.locality.panic);
  t.deepEqual(b.workers.map((w) => w.worker).sort(), ids);

  // /metrics: the ejections of both workers summed; one endpoint ejected now (the most any worker ejects), one healthy.
  const body = (await httpGet(`${gw.adminUrl}/metrics`)).text;
  t.is(series(body, 'edgeway_upstream_ejections'), ejected.ejections);
  t.is(series(body, 'edgeway_upstream_endpoints_ejected'), 1);
  t.is(series(body, 'edgeway_upstream_endpoints_healthy'), 1);
  t.is(series(body, 'edgeway_upstream_panic'), 0);
  // Endpoint counts stay the primary's, never multiplied by the workers.
  t.regex(body, /^edgeway_endpoints\{service="default\/app",port="80",ready="true"\} 2$/m);
});
