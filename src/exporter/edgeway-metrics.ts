/**
 * The `/metrics` scrape: one prom-client Registry of edgeway's own (never the global one, so embedding or testing
 * several instances cannot mix series). Request counters and latency histograms come from the per-route cells the
 * data plane fills (src/metrics/, cell-metrics.ts); everything else is read from its owner at scrape time — pool
 * state from the UpstreamRegistry, endpoint counts from the current snapshot, reload outcomes from the Reloader — so
 * nothing is computed per request. Certificate expiry (the snapshot's TLS certificates) and address pool usage
 * (allocation state) come through optional sources, filled in by edgeway.ts.
 *
 * The exporter sits above the data plane it reads; the counters the request path writes stay in src/metrics/,
 * which imports no data-plane code.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { BoundSnapshot } from '../dataplane/bound-snapshot.ts';
import type { BackendStatus } from '../dataplane/upstream/upstream-status.ts';
import { FRONT_DOOR_REASONS, LIMITS, OVERLOAD_REASONS, type RejectionCounters } from '../metrics/rejection-counters.ts';
import type { RouteCellRegistry } from '../metrics/route-cells.ts';
import type { ReloadStatus } from '../reload/reloader.ts';
import { cellHistogram, requestCounter } from './cell-metrics.ts';
import { poolsByService, type PoolStats } from './pools-by-service.ts';
import { registerSharedStateMetrics, type SharedStateSources } from './shared-state-metrics.ts';

export interface CertificateExpiry {
  /** `namespace/name` of the Secret. */
  readonly secret: string;
  readonly notAfter: Date;
}

export interface AddressPoolUsage {
  readonly pool: string;
  readonly size: number;
  readonly used: number;
}

export interface MetricsSources {
  readonly routeCells: RouteCellRegistry;
  bound(): BoundSnapshot;
  pools(): Iterable<PoolStats>;
  reload(): ReloadStatus;
  /** The leaf certificate of every TLS Secret in use. */
  certificates?(): Iterable<CertificateExpiry>;
  /** LoadBalancer address pools and how many of their addresses are allocated. */
  addressPools?(): Iterable<AddressPoolUsage>;
  /** Health, ejection and locality state of every backend's endpoints (upstream-status.ts). */
  upstreams?(): readonly BackendStatus[];
  /** Retries sent, retries the budget refused, and open upgrade tunnels, since start. */
  resilience?(): { readonly retries: number; readonly budgetExhausted: number; readonly tunnels: number };
  /** Requests edgeway refused itself: circuit limits, overload, front door (rejection-counters.ts). */
  rejections?(): RejectionCounters;
  /** The replica name and the shared state's health (shared-state-metrics.ts); without it neither is exported. */
  sharedState?: SharedStateSources;
}

export class EdgewayMetrics {
  readonly registry = new Registry();

  constructor(sources: MetricsSources) {
    const register = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // prom-client's typings admit only its own classes; these implement the same reading interface.
    this.registry.registerMetric(requestCounter(sources.routeCells) as unknown as Metric);
    this.registry.registerMetric(
      cellHistogram(
        sources.routeCells,
        'edgeway_request_duration_seconds',
        'Time from request arrival to the end of the response, by Ingress and Service.',
        (c) => c.duration,
      ) as unknown as Metric,
    );
    this.registry.registerMetric(
      cellHistogram(
        sources.routeCells,
        'edgeway_upstream_response_headers_seconds',
        'Time from handing a request to its upstream pool to the response headers (includes connecting), by Ingress and Service.',
        (c) => c.upstreamHeaders,
      ) as unknown as Metric,
    );

    const pool = (name: string, help: string, field: 'connected' | 'free' | 'pending' | 'running') =>
      new Gauge({
        name,
        help,
        labelNames: ['service'],
        registers: register,
        collect() {
          this.reset();
          for (const [service, stats] of poolsByService(sources.bound(), sources.pools())) this.set({ service }, stats[field]);
        },
      });
    pool('edgeway_upstream_connections', 'Open upstream connections, summed over the endpoints of each Service.', 'connected');
    pool('edgeway_upstream_connections_free', 'Idle upstream connections ready for a request, per Service.', 'free');
    pool('edgeway_upstream_requests_pending', 'Requests queued for a free upstream connection, per Service.', 'pending');
    pool('edgeway_upstream_requests_running', 'Requests in progress on upstream connections, per Service.', 'running');

    new Gauge({
      name: 'edgeway_endpoints',
      help: 'Endpoints of each Service port a route uses, by readiness.',
      labelNames: ['service', 'port', 'ready'],
      registers: register,
      collect() {
        this.reset();
        for (const b of sources.bound().backends.values()) {
          const port = b.backend.key.slice(b.backend.service.length + 1);
          const r = b.backend.resolution;
          const total = r.kind === 'endpoints' ? r.endpoints.length : 0;
          this.set({ service: b.backend.service, port, ready: 'true' }, b.backend.ready.length);
          this.set({ service: b.backend.service, port, ready: 'false' }, total - b.backend.ready.length);
        }
      },
    });

    new Counter({
      name: 'edgeway_config_reloads_total',
      help: 'Configuration reloads, by result (success: a new generation serves; failure: the previous one kept serving).',
      labelNames: ['result'],
      registers: register,
      collect() {
        const s = sources.reload();
        this.reset();
        this.inc({ result: 'success' }, s.successes);
        this.inc({ result: 'failure' }, s.failures);
      },
    });
    new Gauge({
      name: 'edgeway_config_generation',
      help: 'Generation of the configuration snapshot serving now (1 at start, +1 per successful reload).',
      registers: register,
      collect() {
        this.set(sources.bound().snapshot.generation);
      },
    });
    new Gauge({
      name: 'edgeway_config_last_reload_success_timestamp_seconds',
      help: 'Unix time of the last successful load of the configuration (start or reload).',
      registers: register,
      collect() {
        const s = sources.reload();
        this.set((s.lastSuccess ?? sources.bound().snapshot.compiledAt).getTime() / 1000);
      },
    });
    new Gauge({
      name: 'edgeway_certificate_expiry_timestamp_seconds',
      help: 'Unix time at which the leaf certificate of each TLS Secret in use expires.',
      labelNames: ['secret'],
      registers: register,
      collect() {
        this.reset();
        for (const c of sources.certificates?.() ?? []) this.set({ secret: c.secret }, c.notAfter.getTime() / 1000);
      },
    });
    const usage = (name: string, help: string, value: (u: AddressPoolUsage) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['pool'],
        registers: register,
        collect() {
          this.reset();
          for (const u of sources.addressPools?.() ?? []) this.set({ pool: u.pool }, value(u));
        },
      });
    const health = (name: string, help: string, value: (b: BackendStatus) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['service', 'port'],
        registers: register,
        collect() {
          this.reset();
          for (const b of sources.upstreams?.() ?? []) this.set({ service: b.service, port: b.backend.slice(b.service.length + 1) }, value(b));
        },
      });
    health(
      'edgeway_upstream_endpoints_healthy',
      'Endpoints of each Service port passing their active check (or having none) and not ejected.',
      (b) => b.endpoints.filter((e) => e.healthy).length,
    );
    health(
      'edgeway_upstream_endpoints_ejected',
      'Endpoints of each Service port ejected by outlier detection right now.',
      (b) => b.endpoints.filter((e) => e.ejected).length,
    );
    health('edgeway_upstream_ejections', 'Ejections so far of the current endpoints of each Service port (each ejection lengthens the next).', (b) =>
      b.endpoints.reduce((n, e) => n + e.ejections, 0),
    );
    health('edgeway_upstream_panic', '1 when too few endpoints of a Service port are healthy and all of them are used (panic threshold).', (b) =>
      b.locality.panic ? 1 : 0,
    );
    new Counter({
      name: 'edgeway_upstream_retries_total',
      help: 'Upstream tries sent again after a failure (connect failure, reset, retryable status), since start.',
      registers: register,
      collect() {
        this.reset();
        this.inc(sources.resilience?.().retries ?? 0);
      },
    });
    new Counter({
      name: 'edgeway_upstream_retry_budget_exhausted_total',
      help: 'Retries not sent because the backend retry budget was spent, since start.',
      registers: register,
      collect() {
        this.reset();
        this.inc(sources.resilience?.().budgetExhausted ?? 0);
      },
    });
    new Gauge({
      name: 'edgeway_upgrade_tunnels',
      help: 'Open upgrade tunnels (WebSocket).',
      registers: register,
      collect() {
        this.set(sources.resilience?.().tunnels ?? 0);
      },
    });
    new Counter({
      name: 'edgeway_limit_rejections_total',
      help: 'Requests and upgrades answered 503 by a circuit limit of their Service (X-Edgeway-Limit), by Service and limit, since start.',
      labelNames: ['service', 'limit'],
      registers: register,
      collect() {
        this.reset();
        const counters = sources.rejections?.();
        if (counters === undefined) return;
        for (const [service, cells] of counters.limits()) LIMITS.forEach((limit, i) => this.inc({ service, limit }, cells[i]!));
      },
    });
    new Counter({
      name: 'edgeway_overload_rejections_total',
      help: 'Requests and upgrades answered 503 while shedding load, by the budget that was exceeded (event-loop-delay, heap), since start.',
      labelNames: ['reason'],
      registers: register,
      collect() {
        this.reset();
        const counters = sources.rejections?.();
        OVERLOAD_REASONS.forEach((reason, i) => this.inc({ reason }, counters?.overload[i] ?? 0));
      },
    });
    new Counter({
      name: 'edgeway_frontdoor_rejections_total',
      help:
        'Requests refused at the front door before any backend, by reason: body-too-large (413), headers-too-many and headers-too-large (431), ' +
        'framing-ambiguous, host-ambiguous, bad-request and malformed (400), request-timeout (408); since start.',
      labelNames: ['reason'],
      registers: register,
      collect() {
        this.reset();
        const counters = sources.rejections?.();
        FRONT_DOOR_REASONS.forEach((reason, i) => this.inc({ reason }, counters?.frontDoor[i] ?? 0));
      },
    });
    usage('edgeway_address_pool_addresses', 'Addresses in each LoadBalancer address pool.', (u) => u.size);
    usage('edgeway_address_pool_addresses_used', 'Addresses of each LoadBalancer address pool allocated to Services.', (u) => u.used);
    if (sources.sharedState !== undefined) registerSharedStateMetrics(this.registry, sources.sharedState);
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
