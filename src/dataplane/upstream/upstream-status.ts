/**
 * The state of every backend's endpoints as the admin API (`/debug/upstreams`) shows it, and as metrics can export
 * it: per Service port, the policy, which locality serves and why, and per endpoint its locality, weight, active
 * health verdict, ejection and load. Read-only: it looks at runtime state and changes nothing.
 */
import type { BoundSnapshot } from '../bound-snapshot.ts';
import type { HealthChecker } from '../health/health-checker.ts';

export interface EndpointStatus {
  readonly address: string;
  readonly zone: string | null;
  readonly region: string | null;
  readonly cluster: string;
  readonly weight: number;
  /** Eligible right now: passing its active check (or none) and not ejected. */
  readonly healthy: boolean;
  readonly activeCheck: {
    readonly source: string;
    readonly kind: string;
    readonly target: string;
    readonly passing: boolean;
    readonly checked: boolean;
    readonly last: string;
  } | null;
  readonly ejected: boolean;
  readonly ejectedForMs: number;
  readonly ejections: number;
  readonly consecutiveFailures: number;
  readonly inFlight: number;
  readonly ewmaMs: number;
}

export interface BackendStatus {
  readonly backend: string;
  readonly service: string;
  readonly policy: string;
  readonly hashOn: string | null;
  readonly distribution: string;
  readonly clusters: readonly string[];
  readonly locality: {
    readonly serving: readonly { readonly level: string; readonly share: number; readonly endpoints: number }[];
    readonly panic: boolean;
    readonly reason: string;
  };
  readonly endpoints: readonly EndpointStatus[];
}

export function upstreamStatus(bound: BoundSnapshot, checker: HealthChecker, now = Date.now()): BackendStatus[] {
  const probes = new Map([...checker.checks()]);
  const out: BackendStatus[] = [];
  for (const [key, set] of bound.backends) {
    const b = set.backend;
    const plan = set.plan;
    out.push({
      backend: key,
      service: b.service,
      policy: b.policy,
      hashOn: b.hashOn === undefined ? null : b.hashOn.kind === 'client-ip' ? 'client-ip' : `${b.hashOn.kind}:${b.hashOn.name}`,
      distribution: b.distribution,
      clusters: b.clusters,
      locality: {
        serving: plan.levels.map((l) => ({ level: l.level, share: Math.round(l.share * 1000) / 1000, endpoints: l.members.length })),
        panic: plan.panic,
        reason: plan.reason,
      },
      endpoints: set.members.map((m) => {
        const s = m.load;
        const probe = probes.get(m.key)?.probe;
        return {
          address: m.address,
          zone: m.endpoint.zone ?? null,
          region: m.endpoint.region ?? null,
          cluster: m.endpoint.cluster ?? 'local',
          weight: m.weight,
          healthy: s.healthy(now),
          activeCheck:
            probe === undefined
              ? null
              : {
                  source: probe.source,
                  kind: probe.kind,
                  target: probe.kind === 'tcp' ? `${m.endpoint.address}:${probe.port}` : `${probe.scheme}://${m.endpoint.address}:${probe.port}${probe.path}`,
                  passing: s.activeHealthy,
                  checked: s.activeChecked,
                  last: s.activeDetail,
                },
          ejected: s.ejected(now),
          ejectedForMs: Math.max(0, s.ejectedUntil - now),
          ejections: s.ejections,
          consecutiveFailures: s.consecutiveFailures,
          inFlight: s.inFlight,
          ewmaMs: Math.round(s.ewmaMs * 1000) / 1000,
        };
      }),
    });
  }
  return out;
}
