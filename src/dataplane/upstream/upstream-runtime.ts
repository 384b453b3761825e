/**
 * The runtime state behind the request path that outlives snapshots: undici pools by origin, balancers and backend
 * counters by backend key, endpoint health and load by origin, active health checks, the DNS cache for
 * ExternalName, the overload guard, and the counters /metrics and the admin API read (retries, rejections, route
 * cells), with the watch on slow uploads. It binds each snapshot to these registries and, after a swap, keeps what
 * the new snapshot still uses and drains the rest. It knows nothing of sockets that accept connections (the listener
 * set) nor of which snapshot is current (the data plane).
 */
import type { Settings } from '../../config/settings.ts';
import { RejectionCounters } from '../../metrics/rejection-counters.ts';
import { RouteCellRegistry } from '../../metrics/route-cells.ts';
import type { Snapshot } from '../../snapshot/snapshot.ts';
import type { Balancer } from '../balancers/balancer.ts';
import { bindSnapshot, checksOf, endpointOriginsOf, originsOf, type BindRuntime, type BoundSnapshot, type TlsBinding } from '../bound-snapshot.ts';
import { EndpointStates } from '../health/endpoint-states.ts';
import { HealthChecker } from '../health/health-checker.ts';
import { OverloadGuard } from '../overload-guard.ts';
import type { RetryCounters } from '../request/proxy-exchange.ts';
import { SendWatch } from '../request/send-watch.ts';
import { ClientWatch } from '../request/client-watch.ts';
import type { BackendRuntime } from './backend-runtime.ts';
import { DnsCache } from './dns-cache.ts';
import { UpstreamRegistry } from './upstream-registry.ts';

export class UpstreamRuntime {
  readonly upstreams: UpstreamRegistry;
  readonly dns = new DnsCache();
  /** Health, ejection and load by endpoint origin. */
  readonly states: EndpointStates;
  readonly checker = new HealthChecker();
  /** Request counters and histograms by route; read by /metrics at scrape time. */
  readonly routeCells = new RouteCellRegistry();
  readonly overload: OverloadGuard;
  readonly retryCounters: RetryCounters = { retries: 0, budgetExhausted: 0 };
  /** What edgeway refused itself (limits, overload, front door), for /metrics. */
  readonly rejections = new RejectionCounters();
  readonly sendWatch = new SendWatch();
  /** Watches request bodies and slow readers for the body and send timeouts (client-watch.ts). */
  readonly clientWatch = new ClientWatch();
  /** In-flight counters and retry budgets by backend key. */
  readonly #runtimes = new Map<string, BackendRuntime>();
  readonly #bind: BindRuntime;

  /** @param settings the first snapshot's: pool options, outlier detection and the overload budgets. */
  constructor(settings: Settings) {
    this.upstreams = new UpstreamRegistry(settings.upstream);
    this.states = new EndpointStates(settings.outlierDetection);
    this.overload = new OverloadGuard(settings.overload);
    this.#bind = { upstreams: this.upstreams, balancers: new Map<string, Balancer>(), states: this.states, runtimes: this.#runtimes };
  }

  /** Joins `snapshot` with these registries; see bindSnapshot for what is reused from `previous`. */
  bind(snapshot: Snapshot, tls: TlsBinding | null, previous: BoundSnapshot | null): BoundSnapshot {
    return bindSnapshot(snapshot, this.#bind, tls, previous);
  }

  /**
   * Once `bound` is current: the first one starts its health checks; after a swap, the overload budgets follow the
   * settings, and checks, endpoint states and pools are cut to what `bound` uses (pools of endpoints that are gone
   * are drained in the background). The same bound backends under the same settings keep everything as it is.
   */
  follow(bound: BoundSnapshot, previous: BoundSnapshot | null): void {
    if (previous === null) {
      this.checker.reconcile(checksOf(bound));
      return;
    }
    const settings = bound.snapshot.settings;
    this.overload.configure(settings.overload);
    if (bound.backends === previous.backends && settings === previous.snapshot.settings) return;
    this.checker.reconcile(checksOf(bound));
    this.states.retain(endpointOriginsOf(bound));
    void this.upstreams.retain(originsOf(bound), settings.upstream);
  }

  /** Requests in flight and waiting for a connection, per backend key (admin API, tests). */
  load(backendKey: string): { readonly active: number; readonly pending: number } | undefined {
    const r = this.#runtimes.get(backendKey);
    return r === undefined ? undefined : { active: r.active, pending: r.pending };
  }

  /** Serving starts: the overload guard samples from now on. */
  start(): void {
    this.overload.start();
  }

  /** Serving stops: no more sampling, send watching or health checks; pools stay for the requests still finishing. */
  stop(): void {
    this.overload.stop();
    this.sendWatch.stop();
    this.clientWatch.stop();
    this.checker.stop();
  }

  /** After the last request: endpoint timers end and every pool closes. */
  async close(): Promise<void> {
    this.states.dispose();
    await this.upstreams.close();
  }
}
