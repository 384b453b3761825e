/**
 * The one registry of the Kubernetes kinds edgeway knows. Validation, the admin API's paths, the CLI's resource
 * names and tables, and status all derive from it; validators and status decorators are attached in their own
 * layers by tables typed over `KindName`, so a kind missing there fails the type check. Adding a kind is one entry
 * here plus its files.
 */
import type { KindEntry } from './kind-entry.ts';
import { CONFIG_MAP } from './kinds/config-map.ts';
import { DEPLOYMENT } from './kinds/deployment.ts';
import { ENDPOINT_SLICE } from './kinds/endpoint-slice.ts';
import { ENDPOINTS } from './kinds/endpoints.ts';
import { EVENT } from './kinds/event.ts';
import { INGRESS_CLASS } from './kinds/ingress-class.ts';
import { INGRESS } from './kinds/ingress.ts';
import { IP_ADDRESS_POOL } from './kinds/ip-address-pool.ts';
import { NAMESPACE } from './kinds/namespace.ts';
import { NODE } from './kinds/node.ts';
import { POD } from './kinds/pod.ts';
import { SECRET } from './kinds/secret.ts';
import { SERVICE } from './kinds/service.ts';

/** Every kind, in the order the admin API and the CLI list them. */
export const KIND_ENTRIES = [
  SERVICE,
  ENDPOINTS,
  POD,
  SECRET,
  CONFIG_MAP,
  NODE,
  NAMESPACE,
  INGRESS,
  INGRESS_CLASS,
  ENDPOINT_SLICE,
  DEPLOYMENT,
  IP_ADDRESS_POOL,
  EVENT,
] as const;

/** The name of every kind in the registry: tables in other layers are `Record<KindName, ...>`. */
export type KindName = (typeof KIND_ENTRIES)[number]['kind'];

const BY_KIND: ReadonlyMap<string, KindEntry<KindName>> = new Map(KIND_ENTRIES.map((e) => [e.kind, e]));

/** The entry for `kind`, or undefined for a kind edgeway does not handle. */
export function kindEntryOf(kind: string): KindEntry<KindName> | undefined {
  return BY_KIND.get(kind);
}

/** Kinds that live in a namespace; metadata.namespace defaults to `default` for them. */
export const NAMESPACED_KINDS: ReadonlySet<string> = new Set(KIND_ENTRIES.filter((e) => e.namespaced).map((e) => e.kind));

/** Kinds edgeway knows to be cluster-scoped: a namespace on them is dropped with a warning, as the API server does. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(KIND_ENTRIES.filter((e) => !e.namespaced).map((e) => e.kind));
