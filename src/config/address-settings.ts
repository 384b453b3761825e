/**
 * The `spec.addresses` part of the EdgewaySettings document: LoadBalancer pools, service CIDRs, the NodePort range,
 * the loadBalancerClass, the node addresses NodePorts are served on, the upstream mode and the TCP idle timeout.
 * The schema has checked shapes; this checks what it cannot (addresses that parse, one CIDR per family, min ≤ max)
 * and rejects a bad field at its position, which then keeps its default (from the schema, as every default).
 */
import { isIP } from 'node:net';
import { parseAddressSpec, parseCidr } from '../net/ip-range.ts';
import type { AddressPoolSettings, AddressSettings, UpstreamMode } from './settings.ts';
import { schemaDefault } from './settings-schema.ts';
import type { FieldPath } from './yaml-source.ts';

type Raw = (path: FieldPath) => unknown;
type Reject = (path: FieldPath, message: string) => undefined;
type Duration = (path: FieldPath) => number;

const BASE = ['spec', 'addresses'] as const;

/** `30000-32767` → {min, max}; undefined when malformed or out of order. */
export function parsePortRange(text: string): { min: number; max: number } | undefined {
  const m = /^([0-9]{1,5})-([0-9]{1,5})$/.exec(text);
  if (m === null) return undefined;
  const min = Number(m[1]);
  const max = Number(m[2]);
  return min >= 1 && max <= 65535 && min <= max ? { min, max } : undefined;
}

/** A default of the schema that the code below relies on; the schema test checks each one converts. */
function defaultOf<T>(name: string, convert: (value: unknown) => T | undefined): T {
  const converted = convert(schemaDefault([...BASE, name]));
  if (converted === undefined) throw new Error(`the schema default of spec.addresses.${name} does not convert`);
  return converted;
}

const strings = (value: unknown): readonly string[] | undefined => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined);

export function parseAddressSettings(raw: Raw, reject: Reject, duration: Duration): AddressSettings {
  const at = (...rest: (string | number)[]): FieldPath => [...BASE, ...rest];
  const d = {
    serviceCIDRs: defaultOf('serviceCIDRs', strings),
    nodePortRange: defaultOf('nodePortRange', (v) => (typeof v === 'string' ? parsePortRange(v) : undefined)),
    nodeAddresses: defaultOf('nodeAddresses', strings),
    loadBalancerClass: defaultOf('loadBalancerClass', (v) => (typeof v === 'string' ? v : undefined)),
    upstreamMode: defaultOf('upstreamMode', (v): UpstreamMode | undefined => (v === 'endpoints' || v === 'nodePort' ? v : undefined)),
  };

  let pools = defaultOf('pools', (v) => (Array.isArray(v) ? (v as readonly AddressPoolSettings[]) : undefined));
  const writtenPools = raw(at('pools'));
  if (Array.isArray(writtenPools)) {
    const out: AddressPoolSettings[] = [];
    writtenPools.forEach((p: { name: string; addresses: string[]; autoAssign?: boolean; avoidBuggyIPs?: boolean }, i) => {
      const bad = p.addresses.findIndex((a) => !parseAddressSpec(a).ok);
      if (bad !== -1) {
        const parsed = parseAddressSpec(p.addresses[bad] ?? '');
        reject(
          at('pools', i, 'addresses', bad),
          `${parsed.ok ? '' : parsed.message}; write a CIDR such as 192.168.1.0/24 or a range such as 192.168.1.10-192.168.1.20 (the pool is left out)`,
        );
        return;
      }
      out.push({
        name: p.name,
        addresses: p.addresses,
        ...(p.autoAssign === undefined ? {} : { autoAssign: p.autoAssign }),
        ...(p.avoidBuggyIPs === undefined ? {} : { avoidBuggyIPs: p.avoidBuggyIPs }),
      });
    });
    pools = out;
  }

  let serviceCIDRs = d.serviceCIDRs;
  const cidrs = raw(at('serviceCIDRs'));
  if (Array.isArray(cidrs)) {
    const families = new Set<string>();
    let ok = true;
    cidrs.forEach((text: string, i) => {
      if (!ok) return;
      const parsed = parseCidr(text);
      if (!parsed.ok) {
        ok = false;
        reject(at('serviceCIDRs', i), `${parsed.message}; write a CIDR such as 10.96.0.0/12 (the default ${d.serviceCIDRs.join(', ')} is used)`);
      } else if (families.has(parsed.value.family)) {
        ok = false;
        reject(
          at('serviceCIDRs', i),
          `a second ${parsed.value.family} service CIDR; give at most one per IP family (the default ${d.serviceCIDRs.join(', ')} is used)`,
        );
      } else {
        families.add(parsed.value.family);
      }
    });
    if (ok && cidrs.length > 0) serviceCIDRs = cidrs as string[];
  }

  let nodePortRange = d.nodePortRange;
  const range = raw(at('nodePortRange'));
  if (typeof range === 'string') {
    nodePortRange =
      parsePortRange(range) ??
      reject(at('nodePortRange'), `${JSON.stringify(range)} is not a port range: write MIN-MAX with 1 ≤ MIN ≤ MAX ≤ 65535, e.g. "30000-32767"`) ??
      d.nodePortRange;
  }

  let nodeAddresses = d.nodeAddresses;
  const nodes = raw(at('nodeAddresses'));
  if (Array.isArray(nodes)) {
    const bad = nodes.findIndex((n) => typeof n !== 'string' || isIP(n) === 0);
    if (bad === -1) nodeAddresses = nodes as string[];
    else
      reject(
        at('nodeAddresses', bad),
        `${JSON.stringify(nodes[bad])} is not an IP address; write e.g. "127.0.0.1" or "::1" (NodePorts are served on ${d.nodeAddresses.join(', ')} until this is fixed)`,
      );
  }

  const cls = raw(at('loadBalancerClass'));
  const mode = raw(at('upstreamMode'));
  return {
    pools,
    serviceCIDRs,
    nodePortRange,
    loadBalancerClass: typeof cls === 'string' ? cls : d.loadBalancerClass,
    nodeAddresses,
    upstreamMode: mode === 'endpoints' || mode === 'nodePort' ? (mode satisfies UpstreamMode) : d.upstreamMode,
    tcpIdleTimeoutMs: duration(at('tcpIdleTimeout')),
  };
}
