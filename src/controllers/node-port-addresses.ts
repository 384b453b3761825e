/**
 * Where NodePorts are served. A cluster opens every NodePort on all its Nodes; on one machine that means the
 * addresses of the Node objects that are this machine's (InternalIP and ExternalIP; local-addresses.ts), plus the
 * settings' `nodeAddresses`. A Node address elsewhere cannot be served from here, so it gets a warning, and NodePort
 * fan-out (node-targets.ts) leaves it out rather than sending where nothing listens. Pure.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Node } from '../k8s/types.ts';
import { objectRef } from '../k8s/types.ts';
import { canonicalIp } from '../net/ip-range.ts';
import type { LocalAddressCheck } from '../net/local-addresses.ts';

export interface NodePortAddresses {
  /** The settings' node addresses first, then the Node objects' local addresses by node name; no repeats. */
  readonly addresses: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

const SERVED_TYPES: ReadonlySet<string> = new Set(['InternalIP', 'ExternalIP']);

export function nodePortAddresses(nodes: readonly LoadedObject<Node>[], nodeAddresses: readonly string[], isLocal: LocalAddressCheck): NodePortAddresses {
  const addresses: string[] = [];
  const seen = new Set<string>();
  const add = (address: string): void => {
    const key = canonicalIp(address) ?? address;
    if (seen.has(key)) return;
    seen.add(key);
    addresses.push(address);
  };
  for (const address of nodeAddresses) add(address);
  const diagnostics: Diagnostic[] = [];
  const sorted = [...nodes].sort((a, b) => (a.object.metadata.name < b.object.metadata.name ? -1 : a.object.metadata.name > b.object.metadata.name ? 1 : 0));
  for (const loaded of sorted) {
    const node = loaded.object;
    (node.status?.addresses ?? []).forEach((entry, index) => {
      if (!SERVED_TYPES.has(entry.type)) return;
      if (isLocal(entry.address)) return add(entry.address);
      const field = ['status', 'addresses', index, 'address'];
      diagnostics.push({
        severity: 'warning',
        code: 'EW_NODE_ADDRESS_NOT_LOCAL',
        message:
          `${entry.type} ${entry.address} is not an address of this machine: NodePorts are not served there and NodePort fan-out ` +
          `does not send to it; add the address to an interface here, or list this machine's address instead`,
        position: loaded.locate(field),
        object: objectRef(node),
        field: formatFieldPath(field),
      });
    });
  }
  return { addresses, diagnostics };
}
