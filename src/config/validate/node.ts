/**
 * Node: accepted with its shape checked; edgeway reads only a Node's addresses (for NodePort listeners).
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import type { Shape } from './known-fields.ts';
import { ipAddress } from './names.ts';
import { Report } from './report.ts';
import { check, child, list, mapping, string } from './values.ts';

export const NODE_SHAPE: Shape = { spec: null, status: null };

export function validateNode(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  const status = mapping(r, source.object['status'], ['status']);
  list(r, child(status, 'addresses'), ['status', 'addresses']).forEach((a, i) => {
    const at = ['status', 'addresses', i];
    const type = string(r, child(a, 'type'), [...at, 'type']);
    const address = string(r, child(a, 'address'), [...at, 'address']);
    if (type === 'InternalIP' || type === 'ExternalIP') check(r, address, [...at, 'address'], ipAddress);
  });
  return r.diagnostics;
}
