/**
 * Small builders for the allocation tests: Services and pools as the config loader would hand them over, with a
 * fake source position so diagnostics can be checked.
 */
import type { LoadedObject } from '../src/config/loaded-object.ts';
import type { Service } from '../src/k8s/types.ts';
import type { IPAddressPool } from '../src/allocation/address-pool.ts';

export interface ServiceOptions {
  readonly namespace?: string;
  readonly type?: NonNullable<Service['spec']['type']>;
  readonly ports?: NonNullable<Service['spec']['ports']>;
  readonly annotations?: Record<string, string>;
  readonly spec?: Partial<Service['spec']>;
  readonly created?: string;
}

export function service(name: string, options: ServiceOptions = {}): Service {
  const metadata: Service['metadata'] = { name, namespace: options.namespace ?? 'default' };
  if (options.annotations !== undefined) metadata.annotations = options.annotations;
  if (options.created !== undefined) metadata.creationTimestamp = options.created;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: options.type ?? 'LoadBalancer',
      selector: { app: name },
      ports: options.ports ?? [{ port: 80, protocol: 'TCP' }],
      ...options.spec,
    },
  };
}

export function loaded<T extends Service | IPAddressPool>(object: T, line = 1): LoadedObject<T> {
  const position = { file: 'test.yaml', line, column: 1 };
  return { object, position, origin: { kind: 'file', ...position }, locate: (path) => ({ file: 'test.yaml', line: line + path.length, column: 3 }) };
}

export function pool(name: string, addresses: string[], spec: { autoAssign?: boolean; avoidBuggyIPs?: boolean; serviceAllocation?: unknown } = {}): IPAddressPool {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name, namespace: 'metallb-system' },
    spec: { addresses, ...spec },
  };
}
