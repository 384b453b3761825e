/**
 * What balancing, health checking and locality need beyond the endpoint list itself, added after resolution so the
 * three endpoint sources stay as Kubernetes defines them:
 *
 * - weight: the `edgeway.io/weight` annotation of the endpoint's Pod (EndpointSlices have no weight field), else
 *   the Service's `edgeway.io/endpoint-weights` annotation (`10.0.0.1=3,10.0.0.2=1`, for endpoints without Pods),
 *   else 1. Integers 1..10000.
 * - region: the Node's `topology.kubernetes.io/region` label; zone and region fall back to the cluster's.
 * - probe: the readinessProbe of the Pod's container serving the port (httpGet or tcpSocket; exec and grpc cannot be
 *   run from a proxy), else the Service's `edgeway.io/health-check-path` annotation (with optional
 *   `edgeway.io/health-check-port` and `edgeway.io/health-check-interval`), else none.
 *
 * Pure. A bad annotation value is a warning at the annotation and the default applies to that field only.
 */
import { formatFieldPath, type Diagnostic } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { HealthCheckSettings } from '../config/settings.ts';
import { parseDuration } from '../config/settings-document.ts';
import { objectRef, type Container, type Pod, type Probe, type Service } from '../k8s/types.ts';
import type { StoreReader } from '../store/object-store.ts';
import { nodeRegion } from './node-zone.ts';
import type { HealthProbe, ResolvedEndpoint } from './resolved-endpoint.ts';

export const WEIGHT_ANNOTATION = 'edgeway.io/weight';
export const ENDPOINT_WEIGHTS_ANNOTATION = 'edgeway.io/endpoint-weights';
export const HEALTH_PATH_ANNOTATION = 'edgeway.io/health-check-path';
export const HEALTH_PORT_ANNOTATION = 'edgeway.io/health-check-port';
export const HEALTH_INTERVAL_ANNOTATION = 'edgeway.io/health-check-interval';

export interface ClusterLocality {
  readonly name: string | undefined;
  readonly zone: string | null;
  readonly region: string | null;
}

export interface ExtrasResult {
  readonly endpoints: ResolvedEndpoint[];
  readonly diagnostics: Diagnostic[];
}

export function addEndpointExtras(
  store: StoreReader,
  service: LoadedObject<Service> | undefined,
  endpoints: readonly ResolvedEndpoint[],
  cluster: ClusterLocality,
  checks: HealthCheckSettings,
): ExtrasResult {
  const diagnostics: Diagnostic[] = [];
  const annotations = service?.object.metadata.annotations ?? {};
  const warn = (loaded: LoadedObject, key: string, message: string): void => {
    const path = ['metadata', 'annotations', key];
    diagnostics.push({
      severity: 'warning',
      code: 'EW_ANNOTATION_INVALID',
      message,
      position: loaded.locate(path),
      object: objectRef(loaded.object),
      field: formatFieldPath(path),
    });
  };
  const byAddress = service === undefined ? new Map<string, number>() : endpointWeights(service, annotations[ENDPOINT_WEIGHTS_ANNOTATION], warn);
  const servicePortProbe = service === undefined ? undefined : annotationProbe(service, annotations, checks, warn);

  const out = endpoints.map((e) => {
    const podRef = e.targetRef === undefined ? undefined : splitRef(e.targetRef);
    const pod = podRef === undefined ? undefined : store.get<Pod>('Pod', podRef.namespace, podRef.name);
    let weight = byAddress.get(e.address);
    const podWeight = pod?.object.metadata.annotations?.[WEIGHT_ANNOTATION];
    if (podWeight !== undefined && pod !== undefined) {
      const parsed = parseWeight(podWeight);
      if (parsed === undefined) warn(pod, WEIGHT_ANNOTATION, `weight ${JSON.stringify(podWeight)} is not an integer from 1 to 10000; this Pod gets weight 1`);
      else weight = parsed;
    }
    const region = nodeRegion(store, e.nodeName) ?? cluster.region ?? undefined;
    const zone = e.zone ?? cluster.zone ?? undefined;
    const probe = (pod === undefined ? undefined : podProbe(pod.object, e.port)) ?? servicePortProbe?.(e.port);
    return {
      ...e,
      ...(zone === undefined ? {} : { zone }),
      ...(region === undefined ? {} : { region }),
      ...(cluster.name === undefined ? {} : { cluster: cluster.name }),
      ...(weight === undefined || weight === 1 ? {} : { weight }),
      ...(probe === undefined ? {} : { probe }),
    };
  });
  return { endpoints: out, diagnostics };
}

function splitRef(ref: string): { namespace: string; name: string } | undefined {
  const slash = ref.indexOf('/');
  return slash === -1 ? undefined : { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}

export function parseWeight(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n >= 1 && n <= 10_000 ? n : undefined;
}

function endpointWeights(
  service: LoadedObject<Service>,
  text: string | undefined,
  warn: (loaded: LoadedObject, key: string, message: string) => void,
): Map<string, number> {
  const out = new Map<string, number>();
  if (text === undefined) return out;
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const [address = '', value = ''] = part.split('=');
    const weight = parseWeight(value);
    if (weight === undefined || address.trim() === '') {
      warn(
        service,
        ENDPOINT_WEIGHTS_ANNOTATION,
        `"${part.trim()}" is not address=weight with a weight from 1 to 10000 (write e.g. "10.0.0.1=3,10.0.0.2=1"); it is ignored`,
      );
      continue;
    }
    out.set(address.trim(), weight);
  }
  return out;
}

/** The probe of the container that serves `port` (or the only container with a readinessProbe). */
export function podProbe(pod: Pod, port: number): HealthProbe | undefined {
  const containers = pod.spec?.containers ?? [];
  const serving = containers.find((c) => c.readinessProbe !== undefined && (c.ports ?? []).some((p) => p.containerPort === port));
  const container =
    serving ?? (containers.filter((c) => c.readinessProbe !== undefined).length === 1 ? containers.find((c) => c.readinessProbe !== undefined) : undefined);
  if (container?.readinessProbe === undefined) return undefined;
  return fromProbe(container.readinessProbe, container, containers);
}

/** Kubernetes' defaults: period 10 s, timeout 1 s, failure threshold 3, success threshold 1. */
export function fromProbe(probe: Probe, container: Container, all: readonly Container[]): HealthProbe | undefined {
  const base = {
    intervalMs: (probe.periodSeconds ?? 10) * 1000,
    timeoutMs: (probe.timeoutSeconds ?? 1) * 1000,
    failureThreshold: probe.failureThreshold ?? 3,
    successThreshold: probe.successThreshold ?? 1,
    source: 'readinessProbe' as const,
  };
  if (probe.httpGet !== undefined) {
    const port = probePort(probe.httpGet.port, container, all);
    if (port === undefined) return undefined;
    const path = probe.httpGet.path ?? '/';
    return {
      ...base,
      kind: 'http',
      scheme: probe.httpGet.scheme?.toUpperCase() === 'HTTPS' ? 'https' : 'http',
      port,
      path: path.startsWith('/') ? path : `/${path}`,
      headers: (probe.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value] as const),
    };
  }
  if (probe.tcpSocket !== undefined) {
    const port = probePort(probe.tcpSocket.port, container, all);
    if (port === undefined) return undefined;
    return { ...base, kind: 'tcp', scheme: 'http', port, path: '', headers: [] };
  }
  return undefined;
}

function probePort(port: number | string, container: Container, all: readonly Container[]): number | undefined {
  if (typeof port === 'number') return port;
  if (/^[0-9]+$/.test(port)) return Number(port);
  const own = container.ports?.find((p) => p.name === port);
  if (own !== undefined) return own.containerPort;
  for (const c of all) for (const p of c.ports ?? []) if (p.name === port) return p.containerPort;
  return undefined;
}

function annotationProbe(
  service: LoadedObject<Service>,
  annotations: Readonly<Record<string, string>>,
  checks: HealthCheckSettings,
  warn: (loaded: LoadedObject, key: string, message: string) => void,
): ((port: number) => HealthProbe) | undefined {
  const path = annotations[HEALTH_PATH_ANNOTATION];
  if (path === undefined) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a probe path may not hold
  if (!path.startsWith('/') || /[\s\x00-\x1f]/.test(path)) {
    warn(
      service,
      HEALTH_PATH_ANNOTATION,
      `health check path ${JSON.stringify(path)} must start with "/" and contain no spaces or control characters; no active check runs`,
    );
    return undefined;
  }
  let fixedPort: number | undefined;
  const portText = annotations[HEALTH_PORT_ANNOTATION];
  if (portText !== undefined) {
    const n = Number(portText);
    if (/^[0-9]{1,5}$/.test(portText) && n >= 1 && n <= 65535) fixedPort = n;
    else
      warn(service, HEALTH_PORT_ANNOTATION, `health check port ${JSON.stringify(portText)} is not a port number from 1 to 65535; the traffic port is checked`);
  }
  let intervalMs = checks.intervalMs;
  const intervalText = annotations[HEALTH_INTERVAL_ANNOTATION];
  if (intervalText !== undefined) {
    const ms = parseDuration(intervalText);
    if (ms !== undefined && ms >= 100) intervalMs = ms;
    else
      warn(
        service,
        HEALTH_INTERVAL_ANNOTATION,
        `health check interval ${JSON.stringify(intervalText)} is not a duration of at least 100ms (write e.g. "5s"); the default ${checks.intervalMs}ms applies`,
      );
  }
  return (port) => ({
    kind: 'http',
    scheme: 'http',
    port: fixedPort ?? port,
    path,
    headers: [],
    intervalMs,
    timeoutMs: Math.min(checks.timeoutMs, intervalMs),
    failureThreshold: checks.failureThreshold,
    successThreshold: checks.successThreshold,
    source: 'annotation',
  });
}
