/**
 * The kinds edgeway reads, in one table: the apiVersion each must carry, whether it lives in a namespace, how its
 * name is checked, its known fields, and its validator. Adding a kind is one row here and one validator file.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import { NAMESPACED_KINDS } from '../../k8s/types.ts';
import { CONFIG_MAP_SHAPE, validateConfigMap } from './config-map.ts';
import { DEPLOYMENT_SHAPE, validateDeployment } from './deployment.ts';
import { ENDPOINT_SLICE_SHAPE, validateEndpointSlice } from './endpoint-slice.ts';
import { ENDPOINTS_SHAPE, validateEndpoints } from './endpoints.ts';
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

export interface KindRule {
  readonly apiVersion: string;
  readonly namespaced: boolean;
  readonly name: NameRule;
  /** Fields besides apiVersion, kind and metadata. */
  readonly shape: Shape;
  readonly validate: (source: LoadedObject) => Diagnostic[];
}

function rule(kind: string, apiVersion: string, name: NameRule, shape: Shape, validate: KindRule['validate']): [string, KindRule] {
  return [kind, { apiVersion, namespaced: NAMESPACED_KINDS.has(kind), name, shape, validate }];
}

export const KINDS: ReadonlyMap<string, KindRule> = new Map([
  rule('Namespace', 'v1', 'dns1123-label', NAMESPACE_SHAPE, validateNamespace),
  rule('Service', 'v1', 'dns1035-label', SERVICE_SHAPE, validateService),
  rule('Endpoints', 'v1', 'dns1123-subdomain', ENDPOINTS_SHAPE, validateEndpoints),
  rule('Pod', 'v1', 'dns1123-subdomain', POD_SHAPE, validatePod),
  rule('Node', 'v1', 'dns1123-subdomain', NODE_SHAPE, validateNode),
  rule('Secret', 'v1', 'dns1123-subdomain', SECRET_SHAPE, validateSecret),
  rule('ConfigMap', 'v1', 'dns1123-subdomain', CONFIG_MAP_SHAPE, validateConfigMap),
  rule('EndpointSlice', 'discovery.k8s.io/v1', 'dns1123-subdomain', ENDPOINT_SLICE_SHAPE, validateEndpointSlice),
  rule('Ingress', 'networking.k8s.io/v1', 'dns1123-subdomain', INGRESS_SHAPE, validateIngress),
  rule('IngressClass', 'networking.k8s.io/v1', 'dns1123-subdomain', INGRESS_CLASS_SHAPE, validateIngressClass),
  rule('Deployment', 'apps/v1', 'dns1123-subdomain', DEPLOYMENT_SHAPE, validateDeployment),
  rule('IPAddressPool', 'metallb.io/v1beta1', 'dns1123-subdomain', IP_ADDRESS_POOL_SHAPE, validateIPAddressPool),
]);
