/**
 * What the three endpoint sources (Pods, an Endpoints object, EndpointSlices) have in common: building a
 * ResolvedEndpoint without undefined fields, and putting a list into its one canonical order with duplicates removed.
 *
 * The order is total over every field, so the same objects give the same list whatever order they were loaded in;
 * balancers and the admin API can then rely on it, and snapshot diffs stay quiet when nothing changed.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { ResolvedEndpoint } from './resolved-endpoint.ts';

/** What each source returns. */
export interface EndpointSourceResult {
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface EndpointFields {
  readonly address: string;
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly targetRef?: string | undefined;
  readonly nodeName?: string | undefined;
  readonly zone?: string | undefined;
  readonly hostname?: string | undefined;
}

/** A ResolvedEndpoint with the optional fields present only when they have a value (exactOptionalPropertyTypes). */
export function makeEndpoint(fields: EndpointFields): ResolvedEndpoint {
  const { targetRef, nodeName, zone, hostname, ...required } = fields;
  return {
    ...required,
    ...(targetRef === undefined ? {} : { targetRef }),
    ...(nodeName === undefined ? {} : { nodeName }),
    ...(zone === undefined ? {} : { zone }),
    ...(hostname === undefined ? {} : { hostname }),
  };
}

/**
 * Sorted by address then port; one entry per address:port. When the same pair appears twice (a Pod listed in two
 * slices, hostNetwork Pods sharing a node IP), the most usable one is kept: ready before serving before terminating.
 */
export function canonicalEndpoints(endpoints: Iterable<ResolvedEndpoint>): ResolvedEndpoint[] {
  const sorted = [...endpoints].sort(compareEndpoints);
  const out: ResolvedEndpoint[] = [];
  let last: ResolvedEndpoint | undefined;
  for (const endpoint of sorted) {
    if (last !== undefined && last.address === endpoint.address && last.port === endpoint.port) continue;
    out.push(endpoint);
    last = endpoint;
  }
  return out;
}

export function compareEndpoints(a: ResolvedEndpoint, b: ResolvedEndpoint): number {
  return (
    compareAddresses(a.address, b.address) ||
    a.port - b.port ||
    Number(b.ready) - Number(a.ready) ||
    Number(b.serving) - Number(a.serving) ||
    Number(a.terminating) - Number(b.terminating) ||
    compareStrings(a.targetRef, b.targetRef) ||
    compareStrings(a.nodeName, b.nodeName) ||
    compareStrings(a.zone, b.zone) ||
    compareStrings(a.hostname, b.hostname)
  );
}

/** IPv4 numerically (10.0.0.2 before 10.0.0.10), then IPv6, then anything else; ties by plain string order. */
export function compareAddresses(a: string, b: string): number {
  const familyDiff = family(a) - family(b);
  if (familyDiff !== 0) return familyDiff;
  if (family(a) === 0) {
    const av = ipv4Value(a);
    const bv = ipv4Value(b);
    if (av !== bv) return av - bv;
  }
  return compareStrings(a, b);
}

function family(address: string): number {
  if (isIPv4(address)) return 0;
  if (isIPv6(address)) return 1;
  return 2;
}

function ipv4Value(address: string): number {
  let value = 0;
  for (const octet of address.split('.')) value = value * 256 + Number(octet);
  return value;
}

/** Code-unit order (not locale order, which differs between machines); undefined sorts first. */
function compareStrings(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}
