/**
 * One Backend (the data plane's upstream set for a Service port) from a resolution: the ready endpoints, the
 * balancing policy, and ClientIP session affinity when the Service asks for it. Shared by the Ingress backends and
 * the backends of the listeners on a Service's own addresses, so both paths balance the same way.
 */
import type { BackendResolution, ResolvedEndpoint } from '../controllers/resolved-endpoint.ts';
import type { Service } from '../k8s/types.ts';
import type { BackendLimits } from './backend-limits.ts';
import type { Backend } from './snapshot.ts';

/** Kubernetes' default for sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

/** The affinity timeout in milliseconds for a `sessionAffinity: ClientIP` Service, else undefined. */
export function affinityTimeoutMs(service: Service | undefined): number | undefined {
  if (service?.spec.sessionAffinity !== 'ClientIP') return undefined;
  const seconds = service.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  return (typeof seconds === 'number' && seconds > 0 ? seconds : DEFAULT_AFFINITY_TIMEOUT_SECONDS) * 1000;
}

export const H2C_APP_PROTOCOL = 'kubernetes.io/h2c';

/** Endpoints that speak HTTP/2 without TLS, by the port's appProtocol (Kubernetes' name for prior-knowledge h2c). */
export function speaksH2c(resolution: BackendResolution): boolean {
  return resolution.kind === 'endpoints' && resolution.appProtocol === H2C_APP_PROTOCOL;
}

export function serviceBackend(
  key: string,
  service: string,
  resolution: BackendResolution,
  object: Service | undefined,
  limits: BackendLimits,
  ready?: readonly ResolvedEndpoint[],
): Backend {
  const affinity = affinityTimeoutMs(object);
  return {
    key,
    service,
    resolution,
    ready: ready ?? (resolution.kind === 'endpoints' ? resolution.endpoints.filter((e) => e.ready) : []),
    policy: 'round-robin',
    // The listeners on a Service's own addresses balance without locality (issue 6 applies it to Ingress backends).
    distribution: 'Spread',
    clusters: ['local'],
    ...(affinity === undefined ? {} : { affinityTimeoutMs: affinity }),
    ...(speaksH2c(resolution) ? { h2c: true as const } : {}),
    limits,
  };
}
