/**
 * Endpoints (the classic per-Service address list): every address an IP, ports in range, port names unique and
 * required when there are several, as ValidateEndpoints does.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import type { Shape } from './known-fields.ts';
import { dns1123Label, dns1123Subdomain, endpointIp } from './names.ts';
import { checkPortNames, portNumber, protocol } from './ports.ts';
import { Report, type FieldPath } from './report.ts';
import { check, child, isAbsent, list, mapping, string } from './values.ts';

const ENDPOINT_IP = endpointIp(0);

const ADDRESS_SHAPE: Shape = { ip: null, hostname: null, nodeName: null, targetRef: null };

export const ENDPOINTS_SHAPE: Shape = {
  subsets: {
    addresses: ADDRESS_SHAPE,
    notReadyAddresses: ADDRESS_SHAPE,
    ports: { name: null, port: null, protocol: null, appProtocol: null },
  },
};

export function validateEndpoints(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  list(r, source.object['subsets'], ['subsets']).forEach((subset, s) => {
    const at = ['subsets', s];
    if (mapping(r, subset, at) === undefined) return;
    for (const field of ['addresses', 'notReadyAddresses']) {
      list(r, child(subset, field), [...at, field]).forEach((a, i) => validateAddress(r, a, [...at, field, i]));
    }
    const ports = list(r, child(subset, 'ports'), [...at, 'ports']);
    const names = ports.map((p, i) => {
      const pat = [...at, 'ports', i];
      if (mapping(r, p, pat) === undefined) return undefined;
      if (isAbsent(child(p, 'port'))) r.error('EW_FIELD_REQUIRED', [...pat, 'port'], 'is required: the port number on each address (1–65535)');
      portNumber(r, child(p, 'port'), [...pat, 'port']);
      protocol(r, child(p, 'protocol'), [...pat, 'protocol']);
      return string(r, child(p, 'name'), [...pat, 'name']);
    });
    checkPortNames(r, names, (i) => [...at, 'ports', i, 'name'], dns1123Label, true);
  });
  return r.diagnostics;
}

function validateAddress(r: Report, address: unknown, at: FieldPath): void {
  if (mapping(r, address, at) === undefined) return;
  const ip = string(r, child(address, 'ip'), [...at, 'ip']);
  if (ip === undefined || ip === '') r.error('EW_FIELD_REQUIRED', [...at, 'ip'], 'is required: the IP address of the endpoint');
  else check(r, ip, [...at, 'ip'], ENDPOINT_IP);
  check(r, string(r, child(address, 'hostname'), [...at, 'hostname']), [...at, 'hostname'], dns1123Label);
  check(r, string(r, child(address, 'nodeName'), [...at, 'nodeName']), [...at, 'nodeName'], dns1123Subdomain);
}
