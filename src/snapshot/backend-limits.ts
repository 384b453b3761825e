/**
 * Circuit limits of one Service, compiled once per snapshot from the settings and the Service's annotations:
 * `edgeway.io/max-requests`, `edgeway.io/max-pending-requests` (both answer 503 with `X-Edgeway-Limit` beyond
 * them) and `edgeway.io/max-connections` (the size of each endpoint's connection pool: requests beyond it wait, and
 * count as pending). A bad value is a diagnostic at the annotation and that limit keeps its default.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Settings } from '../config/settings.ts';
import { objectRef, type Service } from '../k8s/types.ts';

export interface BackendLimits {
  readonly maxRequests: number;
  readonly maxPendingRequests: number;
  /** Connections per endpoint pool. */
  readonly maxConnections: number;
}

const defaults = new WeakMap<Settings, BackendLimits>();

export function compileBackendLimits(service: LoadedObject<Service> | undefined, settings: Settings): { limits: BackendLimits; diagnostics: Diagnostic[] } {
  let base = defaults.get(settings);
  if (base === undefined) {
    base = Object.freeze({ ...settings.limits, maxConnections: settings.upstream.connections });
    defaults.set(settings, base);
  }
  const annotations = service?.object.metadata.annotations;
  const diagnostics: Diagnostic[] = [];
  if (service === undefined || annotations === undefined) return { limits: base, diagnostics };
  const read = (name: string, min: number, fallback: number): number => {
    const text = annotations[`edgeway.io/${name}`];
    if (text === undefined) return fallback;
    const n = /^[0-9]{1,9}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
    if (n >= min) return n;
    const field = ['metadata', 'annotations', `edgeway.io/${name}`];
    diagnostics.push({
      severity: 'error',
      code: 'EW_ANNOTATION_INVALID',
      message: `"${text}" is not a whole number of at least ${min}; the default ${fallback} applies`,
      position: service.locate(field),
      object: objectRef(service.object),
      field: formatFieldPath(field),
    });
    return fallback;
  };
  const limits = {
    maxRequests: read('max-requests', 1, base.maxRequests),
    maxPendingRequests: read('max-pending-requests', 0, base.maxPendingRequests),
    maxConnections: read('max-connections', 1, base.maxConnections),
  };
  const same =
    limits.maxRequests === base.maxRequests && limits.maxPendingRequests === base.maxPendingRequests && limits.maxConnections === base.maxConnections;
  return { limits: same ? base : Object.freeze(limits), diagnostics };
}
