/**
 * The allocation document replicas share in etcd: every Service's record, as one machine keeps them
 * (allocation-state.ts), plus who HOLDS each record. A holder is `api` for a Service that lives in etcd (written
 * through some replica's API), or the name of a replica whose files define it. Files are per machine, so only the
 * replicas that have the Service can vouch for it; a record no holder vouches for any more is released
 * (merge-claims.ts). Plain JSON data; stored and compared-and-swapped by etcd-allocation-store.ts.
 */
import type { AllocationState, ServiceRecord } from './allocation-state.ts';
import { parseAllocationState } from './state-file.ts';
import { canonicalJson } from '../config/canonical-json.ts';

/** The holder of a Service written through the API: it lives in etcd, so every replica eventually sees it. */
export const API_HOLDER = 'api';

export interface SharedAllocation {
  readonly version: 1;
  /** Keyed by `namespace/name`, in key order. */
  readonly services: Readonly<Record<string, ServiceRecord>>;
  /** Per Service key, its holders in order; every key of `services` has at least one. */
  readonly holders: Readonly<Record<string, readonly string[]>>;
}

export const EMPTY_SHARED_ALLOCATION: SharedAllocation = Object.freeze({ version: 1, services: Object.freeze({}), holders: Object.freeze({}) });

/** The document's records as an allocation state: the `previous` a replica compiles from. */
export function sharedState(document: SharedAllocation): AllocationState {
  return { version: document.version, services: document.services };
}

/**
 * Checks a parsed document; returns the problem in words, or the document. A document without `holders` (a plain
 * allocation state put there by hand) reads with no holders: its records are released as replicas claim.
 */
export function parseSharedAllocation(document: unknown): SharedAllocation | string {
  const state = parseAllocationState(document);
  if (typeof state === 'string') return state;
  const raw = (document as Record<string, unknown>)['holders'] ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'has a "holders" value that is not an object';
  const holders: Record<string, readonly string[]> = {};
  for (const [key, list] of Object.entries(raw)) {
    if (!Array.isArray(list) || !list.every((h) => typeof h === 'string' && h !== '')) return `has bad holders for Service "${key}"`;
    if (state.services[key] === undefined) return `has holders for Service "${key}", which has no record`;
    holders[key] = list as string[];
  }
  return { version: 1, services: state.services, holders };
}

/** Whether two documents hold the same records and holders, whatever order their JSON keys came in. */
export function sameSharedAllocation(a: SharedAllocation, b: SharedAllocation): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
