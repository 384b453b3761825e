/**
 * Service: the rules of the API server's ValidateService that edgeway relies on — types, ports (numbers, protocols,
 * names, targetPorts, nodePorts), ExternalName targets, selectors and cluster IPs.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import type { Shape } from './known-fields.ts';
import { validateLabels } from './metadata.ts';
import { dns1123Label, dns1123Subdomain, ipAddress } from './names.ts';
import { checkPortNames, portNumber, portNumberOrName, protocol } from './ports.ts';
import { Report } from './report.ts';
import { check, child, isAbsent, list, mapping, oneOf, string } from './values.ts';

export const SERVICE_SHAPE: Shape = {
  spec: {
    type: null,
    selector: null,
    ports: { name: null, protocol: null, appProtocol: null, port: null, targetPort: null, nodePort: null },
    clusterIP: null,
    clusterIPs: null,
    externalIPs: null,
    externalName: null,
    sessionAffinity: null,
    sessionAffinityConfig: { clientIP: { timeoutSeconds: null } },
    loadBalancerIP: null,
    loadBalancerSourceRanges: null,
    loadBalancerClass: null,
    allocateLoadBalancerNodePorts: null,
    externalTrafficPolicy: null,
    internalTrafficPolicy: null,
    healthCheckNodePort: null,
    publishNotReadyAddresses: null,
    ipFamilies: null,
    ipFamilyPolicy: null,
    trafficDistribution: null,
  },
  status: null,
};

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

export function validateService(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  const spec = mapping(r, source.object['spec'], ['spec']);
  const type = string(r, child(spec, 'type'), ['spec', 'type']) ?? 'ClusterIP';
  oneOf(r, type, ['spec', 'type'], TYPES);

  if (type === 'ExternalName') {
    const target = string(r, child(spec, 'externalName'), ['spec', 'externalName']);
    if (target === undefined || target === '') {
      r.error('EW_FIELD_REQUIRED', ['spec', 'externalName'], 'is required for type ExternalName: give the DNS name to forward to (e.g. "api.example.com")');
    }
    // A trailing dot (fully qualified) is accepted, as the API server does.
    check(r, target?.replace(/\.$/, ''), ['spec', 'externalName'], dns1123Subdomain);
  }

  validateLabels(r, child(spec, 'selector'), ['spec', 'selector']);

  const clusterIP = string(r, child(spec, 'clusterIP'), ['spec', 'clusterIP']);
  if (clusterIP !== undefined && clusterIP !== '' && clusterIP !== 'None') check(r, clusterIP, ['spec', 'clusterIP'], ipAddress);
  list(r, child(spec, 'clusterIPs'), ['spec', 'clusterIPs']).forEach((ip, i) => {
    const text = string(r, ip, ['spec', 'clusterIPs', i]);
    if (text !== 'None') check(r, text, ['spec', 'clusterIPs', i], ipAddress);
  });
  check(r, string(r, child(spec, 'loadBalancerIP'), ['spec', 'loadBalancerIP']) || undefined, ['spec', 'loadBalancerIP'], ipAddress);
  list(r, child(spec, 'externalIPs'), ['spec', 'externalIPs']).forEach((ip, i) =>
    check(r, string(r, ip, ['spec', 'externalIPs', i]), ['spec', 'externalIPs', i], ipAddress),
  );
  oneOf(r, string(r, child(spec, 'sessionAffinity'), ['spec', 'sessionAffinity']), ['spec', 'sessionAffinity'], ['None', 'ClientIP']);
  for (const policy of ['externalTrafficPolicy', 'internalTrafficPolicy']) {
    oneOf(r, string(r, child(spec, policy), ['spec', policy]), ['spec', policy], ['Cluster', 'Local']);
  }
  list(r, child(spec, 'ipFamilies'), ['spec', 'ipFamilies']).forEach((f, i) =>
    oneOf(r, string(r, f, ['spec', 'ipFamilies', i]), ['spec', 'ipFamilies', i], ['IPv4', 'IPv6']),
  );
  const familyPolicy = string(r, child(spec, 'ipFamilyPolicy'), ['spec', 'ipFamilyPolicy']);
  oneOf(r, familyPolicy, ['spec', 'ipFamilyPolicy'], ['SingleStack', 'PreferDualStack', 'RequireDualStack']);

  validatePorts(r, child(spec, 'ports'), type, clusterIP === 'None');
  return r.diagnostics;
}

function validatePorts(r: Report, value: unknown, type: string, headless: boolean): void {
  const ports = list(r, value, ['spec', 'ports']);
  if (ports.length === 0 && type !== 'ExternalName' && !headless) {
    r.error('EW_FIELD_REQUIRED', ['spec', 'ports'], 'is required: list at least one port (e.g. "- port: 80")');
  }
  const names: (string | undefined)[] = [];
  const seen = new Map<string, number>();
  ports.forEach((p, i) => {
    const at = ['spec', 'ports', i];
    if (mapping(r, p, at) === undefined) {
      names.push(undefined);
      return;
    }
    names.push(string(r, child(p, 'name'), [...at, 'name']));
    const port = portNumber(r, child(p, 'port'), [...at, 'port']);
    if (isAbsent(child(p, 'port'))) r.error('EW_FIELD_REQUIRED', [...at, 'port'], 'is required: the port number the Service listens on (1–65535)');
    const proto = protocol(r, child(p, 'protocol'), [...at, 'protocol']);
    portNumberOrName(r, child(p, 'targetPort'), [...at, 'targetPort']);
    const nodePort = child(p, 'nodePort');
    if (!isAbsent(nodePort)) {
      portNumber(r, nodePort, [...at, 'nodePort']);
      if (type !== 'NodePort' && type !== 'LoadBalancer') {
        r.error('EW_FIELD_INVALID', [...at, 'nodePort'], `may not be set when type is ${type}: remove it or use type NodePort or LoadBalancer`);
      }
    }
    if (port !== undefined) {
      const key = `${port}/${proto}`;
      const first = seen.get(key);
      if (first !== undefined)
        r.error('EW_FIELD_INVALID', [...at, 'port'], `${key} is already declared by port [${first}]: each port and protocol may appear once`);
      else seen.set(key, i);
    }
  });
  checkPortNames(r, names, (i) => ['spec', 'ports', i, 'name'], dns1123Label, true);
}
