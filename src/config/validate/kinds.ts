/**
 * How each kind in the registry (`k8s/kinds.ts`) is validated: how its name is checked, its known fields and its
 * validator. The apiVersion and scope come from the registry; `VALIDATION` is typed over every registry kind, so a
 * kind added there without a row here fails the type check.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import { KIND_ENTRIES, type KindName } from '../../k8s/kinds.ts';
import { CONFIG_MAP_SHAPE, validateConfigMap } from './config-map.ts';
import { DEPLOYMENT_SHAPE, validateDeployment } from './deployment.ts';
import { ENDPOINT_SLICE_SHAPE, validateEndpointSlice } from './endpoint-slice.ts';
import { ENDPOINTS_SHAPE, validateEndpoints } from './endpoints.ts';
import { EVENT_SHAPE, validateEvent } from './event.ts';
import { INGRESS_CLASS_SHAPE, validateIngressClass } from './ingress-class.ts';
import { INGRESS_SHAPE, validateIngress } from './ingress.ts';
import { IP_ADDRESS_POOL_SHAPE, validateIPAddressPool } from './ip-address-pool.ts';
import type { Shape } from './known-fields.ts';
import type { NameRule } from './metadata.ts';
import { NAMESPACE_SHAPE, validateNamespace } from './namespace.ts';
import { NODE_SHAPE, validateNode } from './node.ts';
import { POD_SHAPE, validatePod } from './pod.ts';
import { SECRET_SHAPE, validateSecret } from './secret.ts';
import { SERVICE_SHAPE, validateService } from './service.ts';

/** What the config layer adds to a registry entry. */
export interface KindValidation {
  readonly name: NameRule;
  /** Fields besides apiVersion, kind and metadata. */
  readonly shape: Shape;
  readonly validate: (source: LoadedObject) => Diagnostic[];
}

export interface KindRule extends KindValidation {
  readonly apiVersion: string;
  readonly namespaced: boolean;
}

export const VALIDATION: Readonly<Record<KindName, KindValidation>> = {
  Namespace: { name: 'dns1123-label', shape: NAMESPACE_SHAPE, validate: validateNamespace },
  Service: { name: 'dns1035-label', shape: SERVICE_SHAPE, validate: validateService },
  Endpoints: { name: 'dns1123-subdomain', shape: ENDPOINTS_SHAPE, validate: validateEndpoints },
  Pod: { name: 'dns1123-subdomain', shape: POD_SHAPE, validate: validatePod },
  Node: { name: 'dns1123-subdomain', shape: NODE_SHAPE, validate: validateNode },
  Secret: { name: 'dns1123-subdomain', shape: SECRET_SHAPE, validate: validateSecret },
  ConfigMap: { name: 'dns1123-subdomain', shape: CONFIG_MAP_SHAPE, validate: validateConfigMap },
  EndpointSlice: { name: 'dns1123-subdomain', shape: ENDPOINT_SLICE_SHAPE, validate: validateEndpointSlice },
  Ingress: { name: 'dns1123-subdomain', shape: INGRESS_SHAPE, validate: validateIngress },
  IngressClass: { name: 'dns1123-subdomain', shape: INGRESS_CLASS_SHAPE, validate: validateIngressClass },
  Deployment: { name: 'dns1123-subdomain', shape: DEPLOYMENT_SHAPE, validate: validateDeployment },
  IPAddressPool: { name: 'dns1123-subdomain', shape: IP_ADDRESS_POOL_SHAPE, validate: validateIPAddressPool },
  Event: { name: 'dns1123-subdomain', shape: EVENT_SHAPE, validate: validateEvent },
};

/** The rule for every kind edgeway reads, by kind name. */
export const KINDS: ReadonlyMap<string, KindRule> = new Map(
  KIND_ENTRIES.map((e) => [e.kind, { apiVersion: e.apiVersion, namespaced: e.namespaced, ...VALIDATION[e.kind] }]),
);
