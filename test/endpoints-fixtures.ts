/**
 * Small builders for the endpoint tests: LoadedObjects with fixed, predictable positions (no YAML loader involved),
 * Pods, Services and Settings with only the fields a case cares about.
 */
import type { LoadedObject } from '../src/config/loaded-object.ts';
import type { Settings } from '../src/config/settings.ts';
import type { KubeObject, Pod, Service } from '../src/k8s/types.ts';
import { ObjectStore } from '../src/store/object-store.ts';
import { DEFAULT_SETTINGS } from '../src/config/settings-defaults.ts';

export const FILE = 'endpoints.yaml';

/** The object starts at `line`; a field sits one line further per path element, indented two columns per level. */
export function loaded<T extends KubeObject>(object: T, line = 1): LoadedObject<T> {
  return {
    object,
    position: { file: FILE, line, column: 1 },
    locate: (path) => ({ file: FILE, line: line + path.length, column: 1 + 2 * path.length }),
  };
}

export function storeOf(...objects: readonly KubeObject[]): ObjectStore {
  return new ObjectStore(objects.map((o, i) => loaded(o, 1 + i * 100)));
}

export function service(name: string, spec: Service['spec'], namespace = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec };
}

export interface PodOptions {
  readonly labels?: Record<string, string>;
  readonly ip?: string;
  readonly ready?: boolean;
  readonly terminating?: boolean;
  readonly phase?: string;
  readonly ports?: readonly { readonly name: string; readonly containerPort: number; readonly protocol?: 'TCP' | 'UDP' }[];
  readonly nodeName?: string;
  readonly namespace?: string;
  readonly hostname?: string;
  readonly subdomain?: string;
}

export function pod(name: string, options: PodOptions = {}): Pod {
  const spec: NonNullable<Pod['spec']> = {
    containers: [{ name: 'app', ports: (options.ports ?? []).map((p) => ({ ...p })) }],
  };
  if (options.nodeName !== undefined) spec.nodeName = options.nodeName;
  if (options.hostname !== undefined) spec.hostname = options.hostname;
  if (options.subdomain !== undefined) spec.subdomain = options.subdomain;
  const status: NonNullable<Pod['status']> = {
    phase: options.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
  };
  if (options.ip !== undefined) status.podIP = options.ip;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: options.namespace ?? 'default',
      labels: options.labels ?? { app: 'web' },
      ...(options.terminating === true ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec,
    status,
  };
}

export function settings(externalNameEnabled = false): Settings {
  return {
    ...DEFAULT_SETTINGS,
    http: { host: '127.0.0.1', port: 8080 },
    https: null,
    tls: DEFAULT_SETTINGS.tls,
    admin: { host: '127.0.0.1', port: 9901 },
    stateDir: '/tmp/edgeway-test-state',
    controllerName: 'edgeway.io/ingress-controller',
    defaultBackend: null,
    externalName: { enabled: externalNameEnabled },
    trustedProxies: [],
    forwardProxyAuthorization: false,
    upstream: {
      connections: 16,
      pipelining: 1,
      keepAliveTimeoutMs: 4_000,
      keepAliveMaxTimeoutMs: 60_000,
      connectTimeoutMs: 5_000,
      headersTimeoutMs: 60_000,
      bodyTimeoutMs: 60_000,
    },
    downstream: { ...DEFAULT_SETTINGS.downstream, keepAliveTimeoutMs: 5_000, headersTimeoutMs: 60_000, requestTimeoutMs: 300_000, maxHeaderBytes: 16_384 },
    retries: DEFAULT_SETTINGS.retries,
    limits: DEFAULT_SETTINGS.limits,
    overload: DEFAULT_SETTINGS.overload,
    upgrades: DEFAULT_SETTINGS.upgrades,
    logging: { level: 'silent', access: false },
    addresses: DEFAULT_SETTINGS.addresses,
    maxConfigBytes: 10_000_000,
  };
}
