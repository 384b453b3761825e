/**
 * MetalLB IPAddressPool: only a shallow check here (a list of address strings); the allocation layer validates the
 * ranges and CIDRs themselves.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import type { Shape } from './known-fields.ts';
import { Report } from './report.ts';
import { child, list, mapping, string } from './values.ts';

export const IP_ADDRESS_POOL_SHAPE: Shape = { spec: null, status: null };

export function validateIPAddressPool(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  const spec = mapping(r, source.object['spec'], ['spec']);
  const addresses = list(r, child(spec, 'addresses'), ['spec', 'addresses']);
  if (addresses.length === 0) r.error('EW_FIELD_REQUIRED', ['spec', 'addresses'], 'must list at least one CIDR or range (e.g. "192.168.10.0/24")');
  addresses.forEach((a, i) => string(r, a, ['spec', 'addresses', i]));
  return r.diagnostics;
}
