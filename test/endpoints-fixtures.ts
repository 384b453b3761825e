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
    origin: { kind: 'file', file: FILE, line, column: 1 },
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
  return { ...DEFAULT_SETTINGS, externalName: { enabled: externalNameEnabled } };
}
