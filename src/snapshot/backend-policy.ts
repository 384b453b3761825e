/**
 * How a Service wants to be balanced, from its annotations and spec, with the settings as the default:
 *
 * - `edgeway.io/load-balancer: round-robin | least-request | ewma | ring-hash | maglev`; without it, a Service with
 *   `sessionAffinity: ClientIP` gets ring-hash on the client address (kube-proxy's affinity, made consistent), and
 *   any other the settings' `balancing.policy`.
 * - `edgeway.io/hash-on: header:NAME | cookie:NAME | client-ip` for the hashing policies (settings default otherwise).
 * - Locality: `internalTrafficPolicy: Local` → only edgeway's own zone (edgeway runs on no node, so its zone is the
 *   closest thing to "local"; with no endpoint there, 503); `trafficDistribution: PreferClose` or `PreferSameZone`
 *   → zone, then region, then anywhere; otherwise as `locality.preferClose` in the settings says.
 *
 * Pure; a bad annotation is a warning at its position and the default applies.
 */
import { formatFieldPath, type Diagnostic } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Settings } from '../config/settings.ts';
import { parseHashOn } from '../config/settings-document.ts';
import { objectRef, type Service } from '../k8s/types.ts';
import { BALANCING_POLICIES, HASHING_POLICIES, isBalancingPolicy, type Distribution, type HashOn } from './balancing-policy.ts';

export const LOAD_BALANCER_ANNOTATION = 'edgeway.io/load-balancer';
export const HASH_ON_ANNOTATION = 'edgeway.io/hash-on';

export interface BackendPolicy {
  readonly policy: string;
  readonly hashOn?: HashOn;
  readonly distribution: Distribution;
}

export function backendPolicy(service: LoadedObject<Service> | undefined, settings: Settings): { policy: BackendPolicy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const spec = service?.object.spec;
  const annotations = service?.object.metadata.annotations ?? {};
  const warn = (key: string, message: string): void => {
    if (service === undefined) return;
    const path = ['metadata', 'annotations', key];
    diagnostics.push({
      severity: 'warning',
      code: 'EW_ANNOTATION_INVALID',
      message,
      position: service.locate(path),
      object: objectRef(service.object),
      field: formatFieldPath(path),
    });
  };
  const affinity = spec?.sessionAffinity === 'ClientIP';

  let policy: string = affinity ? 'ring-hash' : settings.balancing.policy;
  const named = annotations[LOAD_BALANCER_ANNOTATION];
  if (named !== undefined) {
    if (isBalancingPolicy(named)) policy = named;
    else warn(LOAD_BALANCER_ANNOTATION, `unknown load balancer ${JSON.stringify(named)}: use one of ${BALANCING_POLICIES.join(', ')}; ${policy} is used`);
  }

  let hashOn: HashOn = affinity && named === undefined ? { kind: 'client-ip' } : settings.balancing.hashOn;
  const hashText = annotations[HASH_ON_ANNOTATION];
  if (hashText !== undefined) {
    const parsed = parseHashOn(hashText);
    if (parsed !== undefined) hashOn = parsed;
    else warn(HASH_ON_ANNOTATION, `${JSON.stringify(hashText)} is not header:NAME, cookie:NAME or client-ip; ${describeHashOn(hashOn)} is hashed`);
  }

  let distribution: Distribution = settings.locality.preferClose ? 'PreferClose' : 'Spread';
  if (spec?.trafficDistribution === 'PreferClose' || spec?.trafficDistribution === 'PreferSameZone') distribution = 'PreferClose';
  if (spec?.internalTrafficPolicy === 'Local') distribution = 'Local';

  return { policy: { policy, ...(HASHING_POLICIES.has(policy) ? { hashOn } : {}), distribution }, diagnostics };
}

export function describeHashOn(on: HashOn): string {
  return on.kind === 'client-ip' ? 'client-ip' : `${on.kind}:${on.name}`;
}
