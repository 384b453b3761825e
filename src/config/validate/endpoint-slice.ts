/**
 * EndpointSlice (discovery.k8s.io/v1): address type, addresses that match it, conditions, ports, and the
 * `kubernetes.io/service-name` label that ties the slice to its Service.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import type { Shape } from './known-fields.ts';
import { dns1035Label, dns1123Label, dns1123Subdomain, endpointIp, type Rule } from './names.ts';
import { checkPortNames, portNumber, protocol } from './ports.ts';
import { Report } from './report.ts';
import { boolean, check, child, list, mapping, oneOf, string } from './values.ts';

export const ENDPOINT_SLICE_SHAPE: Shape = {
  addressType: null,
  endpoints: {
    addresses: null,
    conditions: { ready: null, serving: null, terminating: null },
    hostname: null,
    nodeName: null,
    zone: null,
    targetRef: null,
    hints: { forZones: { name: null }, forNodes: { name: null } },
    deprecatedTopology: null,
  },
  ports: { name: null, port: null, protocol: null, appProtocol: null },
};

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const ADDRESS_RULES: Readonly<Record<string, Rule>> = { IPv4: endpointIp(4), IPv6: endpointIp(6), FQDN: dns1123Subdomain };
/** The API server's limit on addresses per endpoint. */
const MAX_ADDRESSES = 100;

export function validateEndpointSlice(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  const obj = source.object;

  const serviceName = obj.metadata.labels?.[SERVICE_NAME_LABEL];
  if (serviceName === undefined) {
    r.warning(
      'EW_SERVICE_NAME_LABEL_MISSING',
      ['metadata', 'labels'],
      `has no ${SERVICE_NAME_LABEL} label, so the slice belongs to no Service and is not used: add the label with the Service's name`,
    );
  } else if (typeof serviceName === 'string') {
    check(r, serviceName, ['metadata', 'labels', SERVICE_NAME_LABEL], (v) =>
      dns1035Label(v) === undefined ? undefined : 'is not a Service name: it must name the Service these endpoints belong to',
    );
  }

  const addressType = string(r, obj['addressType'], ['addressType']);
  if (addressType === undefined) r.error('EW_FIELD_REQUIRED', ['addressType'], 'is required: use IPv4, IPv6 or FQDN');
  oneOf(r, addressType, ['addressType'], Object.keys(ADDRESS_RULES));
  const addressRule = addressType === undefined ? undefined : ADDRESS_RULES[addressType];

  list(r, obj['endpoints'], ['endpoints']).forEach((ep, i) => {
    const at = ['endpoints', i];
    if (mapping(r, ep, at) === undefined) return;
    const addresses = list(r, child(ep, 'addresses'), [...at, 'addresses']);
    if (addresses.length === 0) r.error('EW_FIELD_REQUIRED', [...at, 'addresses'], 'must list at least one address');
    if (addresses.length > MAX_ADDRESSES)
      r.error('EW_FIELD_INVALID', [...at, 'addresses'], `has ${addresses.length} addresses; at most ${MAX_ADDRESSES} are allowed`);
    addresses.forEach((a, j) => {
      const text = string(r, a, [...at, 'addresses', j]);
      if (addressRule !== undefined) check(r, text, [...at, 'addresses', j], addressRule);
    });
    const conditions = mapping(r, child(ep, 'conditions'), [...at, 'conditions']);
    for (const c of ['ready', 'serving', 'terminating']) boolean(r, child(conditions, c), [...at, 'conditions', c]);
    check(r, string(r, child(ep, 'hostname'), [...at, 'hostname']), [...at, 'hostname'], dns1123Label);
    check(r, string(r, child(ep, 'nodeName'), [...at, 'nodeName']), [...at, 'nodeName'], dns1123Subdomain);
    string(r, child(ep, 'zone'), [...at, 'zone']);
  });

  const ports = list(r, obj['ports'], ['ports']);
  const names = ports.map((p, i) => {
    const at = ['ports', i];
    if (mapping(r, p, at) === undefined) return undefined;
    portNumber(r, child(p, 'port'), [...at, 'port']);
    protocol(r, child(p, 'protocol'), [...at, 'protocol']);
    return string(r, child(p, 'name'), [...at, 'name']);
  });
  // Slices allow one unnamed port ("") among named ones, so names are not required.
  checkPortNames(r, names, (i) => ['ports', i, 'name'], dns1123Label, false);
  return r.diagnostics;
}
