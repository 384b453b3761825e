/**
 * The upstream set of an Ingress backend in NodePort mode (settings `addresses.upstreamMode: nodePort`, or the
 * Service's `edgeway.io/upstream-mode: nodeport` annotation): the Service's NodePort for that port on each eligible
 * node (node-targets.ts). A Service that has no NodePort for the port, or a bad annotation, falls back to its
 * endpoints with a warning, so a mistake degrades only the mode, never the route.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { BackendRef, Settings } from '../config/settings.ts';
import { nodePortUpstreams, UPSTREAM_MODE_ANNOTATION, upstreamModeOf } from '../controllers/node-targets.ts';
import type { BackendResolution, ResolvedEndpoint } from '../controllers/resolved-endpoint.ts';
import { findServicePort } from '../controllers/service-port.ts';
import type { Service } from '../k8s/types.ts';
import { objectRef } from '../k8s/types.ts';
import type { CompiledAddresses } from './addresses.ts';

export interface FanOut {
  /** The upstreams to use instead of the ready endpoints; undefined to keep the endpoints. */
  readonly ready?: readonly ResolvedEndpoint[];
  readonly diagnostic?: Diagnostic;
}

export function fanOut(
  loaded: LoadedObject<Service>,
  ref: BackendRef,
  resolution: BackendResolution,
  addresses: CompiledAddresses,
  settings: Settings,
): FanOut {
  const service = loaded.object;
  const mode = upstreamModeOf(service, settings.addresses.upstreamMode);
  const warn = (field: readonly (string | number)[], message: string): FanOut => ({
    diagnostic: {
      severity: 'warning',
      code: 'EW_UPSTREAM_MODE_FALLBACK',
      message,
      position: loaded.locate(field),
      object: objectRef(service),
      field: formatFieldPath(field),
    },
  });
  if (typeof mode !== 'string') {
    return warn(
      ['metadata', 'annotations', UPSTREAM_MODE_ANNOTATION],
      `${JSON.stringify(mode.invalid)} is not an upstream mode: write "endpoints" or "nodeport" (its endpoints are used)`,
    );
  }
  if (mode === 'endpoints' || resolution.kind !== 'endpoints') return {};
  const found = findServicePort(service, ref.port);
  const key = `${ref.namespace}/${ref.name}`;
  const nodePort = found === undefined ? undefined : addresses.services.get(key)?.nodePorts.find((n) => n.index === found.index)?.nodePort;
  if (found === undefined || nodePort === undefined) {
    return warn(
      ['spec', 'type'],
      `NodePort upstream mode needs a NodePort or LoadBalancer Service with a nodePort for port ${String(ref.port)}; its endpoints are used instead`,
    );
  }
  return { ready: nodePortUpstreams(service, nodePort, addresses.nodes, resolution.endpoints) };
}
