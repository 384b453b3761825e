/**
 * How the API server merges each field of the served kinds, read from their Go types' tags: which lists are
 * associative and by which keys (`patchMergeKey` for strategic merge patch, `listMapKeys` for server-side apply,
 * which differ: Service ports merge by port alone in a strategic patch but by port and protocol in apply), which
 * primitive lists merge as sets, which maps are granular (labels) and which are atomic (a Service selector).
 * Anything not listed is a struct (merged field by field) or an atomic list (replaced whole).
 *
 * Paths name fields only: list elements add no step, so `spec.containers.ports` is every container's ports.
 */

export type FieldRule =
  /** An associative list of objects. `smpKey` is absent where strategic merge replaces the list whole. */
  | { readonly type: 'map-list'; readonly smpKey?: string; readonly ssaKeys?: readonly string[] }
  /** A list of strings merged as a set (`metadata.finalizers`). */
  | { readonly type: 'set' }
  /** A map whose entries are owned and merged one by one (`metadata.labels`). */
  | { readonly type: 'map' }
  /** Replaced whole, by both patch and apply. */
  | { readonly type: 'atomic' };

const keyed = (smpKey: string | undefined, ...ssaKeys: string[]): FieldRule => ({
  type: 'map-list',
  ...(smpKey === undefined ? {} : { smpKey }),
  ...(ssaKeys.length === 0 ? {} : { ssaKeys }),
});
const MAP: FieldRule = { type: 'map' };
const SET: FieldRule = { type: 'set' };
const ATOMIC: FieldRule = { type: 'atomic' };
const CONDITIONS = keyed('type', 'type');

const METADATA: Readonly<Record<string, FieldRule>> = {
  'metadata.labels': MAP,
  'metadata.annotations': MAP,
  'metadata.finalizers': SET,
  'metadata.ownerReferences': keyed('uid', 'uid'),
};

const POD_SPEC: Readonly<Record<string, FieldRule>> = {
  containers: keyed('name', 'name'),
  initContainers: keyed('name', 'name'),
  ephemeralContainers: keyed('name', 'name'),
  'containers.ports': keyed('containerPort', 'containerPort', 'protocol'),
  'initContainers.ports': keyed('containerPort', 'containerPort', 'protocol'),
  'containers.env': keyed('name', 'name'),
  'initContainers.env': keyed('name', 'name'),
  'containers.volumeMounts': keyed('mountPath', 'mountPath'),
  'initContainers.volumeMounts': keyed('mountPath', 'mountPath'),
  'containers.volumeDevices': keyed('devicePath', 'devicePath'),
  volumes: keyed('name', 'name'),
  imagePullSecrets: keyed('name', 'name'),
  hostAliases: keyed('ip', 'ip'),
  topologySpreadConstraints: keyed('topologyKey', 'topologyKey', 'whenUnsatisfiable'),
  nodeSelector: MAP,
};

function under(prefix: string, rules: Readonly<Record<string, FieldRule>>): Record<string, FieldRule> {
  return Object.fromEntries(Object.entries(rules).map(([path, rule]) => [`${prefix}.${path}`, rule]));
}

const BY_KIND: Readonly<Record<string, Readonly<Record<string, FieldRule>>>> = {
  Service: {
    'spec.ports': keyed('port', 'port', 'protocol'),
    'spec.selector': ATOMIC,
    'status.conditions': CONDITIONS,
    'status.loadBalancer.ingress': ATOMIC,
  },
  Pod: {
    ...under('spec', POD_SPEC),
    'status.conditions': CONDITIONS,
    'status.podIPs': keyed('ip', 'ip'),
  },
  Deployment: {
    ...under('spec.template.spec', POD_SPEC),
    'spec.template.metadata.labels': MAP,
    'spec.template.metadata.annotations': MAP,
    'spec.selector': ATOMIC,
    'status.conditions': CONDITIONS,
  },
  Node: {
    'status.conditions': CONDITIONS,
    'status.addresses': keyed('type'),
    'spec.podCIDRs': SET,
  },
  Namespace: { 'status.conditions': CONDITIONS },
  ConfigMap: { data: MAP, binaryData: MAP },
  Secret: { data: MAP, stringData: MAP },
  Ingress: { 'status.loadBalancer.ingress': ATOMIC },
};

/**
 * Defaults of list-map key fields: an element that leaves its key field out is the element with the default, as
 * the API server's schema defaults it before merging (a Service port without protocol is the TCP port).
 */
export const LIST_KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' };

/** Kinds served from custom resource definitions: the API server refuses strategic merge patch for them. */
export const CUSTOM_RESOURCE_KINDS: ReadonlySet<string> = new Set(['IPAddressPool']);

/** The rule of the field at `path` (field names only) of a `kind` object, or undefined for the defaults. */
export function fieldRule(kind: string, path: readonly string[]): FieldRule | undefined {
  const key = path.join('.');
  return BY_KIND[kind]?.[key] ?? METADATA[key];
}
