/**
 * Object validation as a table: each case is a manifest with one mistake, and the diagnostic it must produce —
 * code, field path, and the file line and column of that field. The object is skipped; the valid fixtures load clean.
 */
import test from 'ava';
import { loadConfigText } from '../../src/config/load-config.ts';
import { ingressPathProblem } from '../../src/config/validate/ingress.ts';
import * as names from '../../src/config/validate/names.ts';

interface Expect {
  readonly code: string;
  readonly field: string;
  readonly line: number;
  readonly column: number;
  readonly message?: RegExp;
}

const svc = (spec: string, name = 'web'): string => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
${spec}`;

const ing = (spec: string): string => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
${spec}`;

const rule = (path: string): string =>
  ing(`  rules:
    - host: example.com
      http:
        paths:
${path}`);

const cases: readonly { name: string; yaml: string; expect: Expect }[] = [
  // --- names and metadata (line 4 is metadata.name in every fixture)
  {
    name: 'Service name is a DNS-1035 label',
    yaml: svc('  ports: [{port: 80}]', '1web'),
    expect: { code: 'EW_FIELD_INVALID', field: 'metadata.name', line: 4, column: 3, message: /DNS-1035/ },
  },
  {
    name: 'Secret name is a DNS-1123 subdomain',
    yaml: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: Web_Secret\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'metadata.name', line: 4, column: 3, message: /DNS-1123 subdomain/ },
  },
  {
    name: 'Namespace name is a DNS-1123 label',
    yaml: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a.b\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'metadata.name', line: 4, column: 3, message: /DNS-1123 label/ },
  },
  {
    name: 'namespace is a DNS-1123 label',
    yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: Prod\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'metadata.namespace', line: 5, column: 3 },
  },
  {
    name: 'label key',
    yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    -bad: x\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'metadata.labels.-bad', line: 6, column: 5, message: /qualified name/ },
  },
  {
    name: 'label value too long',
    yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    app: ${'a'.repeat(64)}\n`,
    expect: { code: 'EW_FIELD_INVALID', field: 'metadata.labels.app', line: 6, column: 5, message: /label value/ },
  },
  {
    name: 'label value must be a string',
    yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    enabled: true\n',
    expect: { code: 'EW_FIELD_TYPE', field: 'metadata.labels.enabled', line: 6, column: 5, message: /quote it/ },
  },
  {
    name: 'annotation key',
    yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    "a/b/c": x\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'metadata.annotations.a/b/c', line: 6, column: 5 },
  },
  {
    name: 'wrong apiVersion for a known kind',
    yaml: ing('  defaultBackend: {service: {name: web, port: {number: 80}}}').replace('networking.k8s.io/v1', 'networking.k8s.io/v1beta1'),
    expect: { code: 'EW_API_VERSION_MISMATCH', field: 'apiVersion', line: 1, column: 1, message: /use apiVersion: networking\.k8s\.io\/v1/ },
  },

  // --- Service
  {
    name: 'Service port out of range',
    yaml: svc('  ports:\n    - port: 0'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.ports[0].port', line: 7, column: 7, message: /1–65535/ },
  },
  {
    name: 'Service port missing',
    yaml: svc('  ports:\n    - targetPort: 8080'),
    expect: { code: 'EW_FIELD_REQUIRED', field: 'spec.ports[0].port', line: 7, column: 7 },
  },
  {
    name: 'Service protocol',
    yaml: svc('  ports:\n    - port: 53\n      protocol: ICMP'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.ports[0].protocol', line: 8, column: 7, message: /TCP, UDP or SCTP/ },
  },
  {
    name: 'port names required with several ports',
    yaml: svc('  ports:\n    - name: http\n      port: 80\n    - port: 443'),
    expect: { code: 'EW_FIELD_REQUIRED', field: 'spec.ports[1].name', line: 9, column: 7 },
  },
  {
    name: 'port names unique',
    yaml: svc('  ports:\n    - name: http\n      port: 80\n    - name: http\n      port: 81'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.ports[1].name', line: 9, column: 7, message: /unique/ },
  },
  {
    name: 'port name is a DNS-1123 label',
    yaml: svc('  ports:\n    - name: HTTP\n      port: 80'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.ports[0].name', line: 7, column: 7 },
  },
  {
    name: 'named targetPort is an IANA name (length)',
    yaml: svc('  ports:\n    - port: 80\n      targetPort: a-very-long-port-name'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.ports[0].targetPort', line: 8, column: 7, message: /15 characters/ },
  },
  {
    name: 'quoted numeric targetPort is a name without a letter',
    yaml: svc('  ports:\n    - port: 80\n      targetPort: "8080"'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.ports[0].targetPort', line: 8, column: 7, message: /at least one letter/ },
  },
  {
    name: 'targetPort number range',
    yaml: svc('  ports:\n    - port: 80\n      targetPort: 70000'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.ports[0].targetPort', line: 8, column: 7 },
  },
  {
    name: 'nodePort range',
    yaml: svc('  type: NodePort\n  ports:\n    - port: 80\n      nodePort: 65536'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.ports[0].nodePort', line: 9, column: 7 },
  },
  {
    name: 'nodePort on ClusterIP',
    yaml: svc('  ports:\n    - port: 80\n      nodePort: 30080'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.ports[0].nodePort', line: 8, column: 7, message: /type NodePort/ },
  },
  {
    name: 'Service type',
    yaml: svc('  type: Headless\n  ports: [{port: 80}]'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.type', line: 6, column: 3, message: /ClusterIP, NodePort, LoadBalancer or ExternalName/ },
  },
  {
    name: 'ExternalName needs externalName',
    yaml: svc('  type: ExternalName'),
    expect: { code: 'EW_FIELD_REQUIRED', field: 'spec.externalName', line: 5, column: 1 },
  },
  {
    name: 'externalName is a DNS name',
    yaml: svc('  type: ExternalName\n  externalName: "api example.com"'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.externalName', line: 7, column: 3 },
  },
  {
    name: 'selector values are label values',
    yaml: svc('  selector:\n    app: "web app"\n  ports: [{port: 80}]'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.selector.app', line: 7, column: 5 },
  },
  { name: 'ports required', yaml: svc('  selector: {app: web}'), expect: { code: 'EW_FIELD_REQUIRED', field: 'spec.ports', line: 5, column: 1 } },
  {
    name: 'duplicate port and protocol',
    yaml: svc('  ports:\n    - {name: a, port: 80}\n    - {name: b, port: 80}'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.ports[1].port', line: 8, column: 17 },
  },

  // --- Endpoints and EndpointSlice
  {
    name: 'Endpoints address is an IP',
    yaml: 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: web\nsubsets:\n  - addresses:\n      - ip: 10.0.0.300\n    ports:\n      - port: 80\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'subsets[0].addresses[0].ip', line: 7, column: 9 },
  },
  {
    name: 'Endpoints port range',
    yaml: 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: web\nsubsets:\n  - addresses:\n      - ip: 10.0.0.1\n    ports:\n      - port: 0\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'subsets[0].ports[0].port', line: 9, column: 9 },
  },
  {
    name: 'EndpointSlice addressType',
    yaml: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-1\n  labels: {kubernetes.io/service-name: web}\naddressType: IPv5\nendpoints: []\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'addressType', line: 6, column: 1, message: /IPv4, IPv6 or FQDN/ },
  },
  {
    name: 'EndpointSlice address matches its type',
    yaml: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-1\n  labels: {kubernetes.io/service-name: web}\naddressType: IPv4\nendpoints:\n  - addresses: ["fd00::1"]\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'endpoints[0].addresses[0]', line: 8, column: 17, message: /IPv4/ },
  },
  {
    name: 'EndpointSlice endpoint needs addresses',
    yaml: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-1\n  labels: {kubernetes.io/service-name: web}\naddressType: IPv4\nendpoints:\n  - conditions: {ready: true}\n',
    expect: { code: 'EW_FIELD_REQUIRED', field: 'endpoints[0].addresses', line: 8, column: 5 },
  },
  {
    name: 'EndpointSlice service-name label names a Service',
    yaml: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-1\n  labels:\n    kubernetes.io/service-name: 9web\naddressType: IPv4\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'metadata.labels.kubernetes.io/service-name', line: 6, column: 5 },
  },
  {
    name: 'EndpointSlice port range',
    yaml: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-1\n  labels: {kubernetes.io/service-name: web}\naddressType: IPv4\nports:\n  - port: 99999\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'ports[0].port', line: 8, column: 5 },
  },

  // --- Pod
  {
    name: 'containerPort range',
    yaml: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      ports:\n        - containerPort: 0\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.containers[0].ports[0].containerPort', line: 9, column: 11 },
  },
  {
    name: 'container port names unique',
    yaml: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      ports:\n        - {name: http, containerPort: 80}\n        - {name: http, containerPort: 81}\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.containers[0].ports[1].name', line: 10, column: 12, message: /unique/ },
  },
  {
    name: 'podIP is an IP',
    yaml: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: app}]\nstatus:\n  podIP: pod-1\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'status.podIP', line: 8, column: 3 },
  },
  {
    name: 'Pod needs containers',
    yaml: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec: {}\n',
    expect: { code: 'EW_FIELD_REQUIRED', field: 'spec.containers', line: 5, column: 1 },
  },

  // --- Ingress
  {
    name: 'pathType missing',
    yaml: rule('          - path: /\n            backend: {service: {name: web, port: {number: 80}}}'),
    expect: {
      code: 'EW_FIELD_REQUIRED',
      field: 'spec.rules[0].http.paths[0].pathType',
      line: 10,
      column: 13,
      message: /pathType is required|is required: use Exact, Prefix or ImplementationSpecific/,
    },
  },
  {
    name: 'pathType unknown',
    yaml: rule('          - path: /\n            pathType: Regex\n            backend: {service: {name: web, port: {number: 80}}}'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.rules[0].http.paths[0].pathType', line: 11, column: 13 },
  },
  {
    name: 'Prefix path must be absolute',
    yaml: rule('          - path: api\n            pathType: Prefix\n            backend: {service: {name: web, port: {number: 80}}}'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.rules[0].http.paths[0].path', line: 10, column: 13, message: /absolute/ },
  },
  {
    name: 'Exact path with //',
    yaml: rule('          - path: /a//b\n            pathType: Exact\n            backend: {service: {name: web, port: {number: 80}}}'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.rules[0].http.paths[0].path', line: 10, column: 13, message: /"\/\/"/ },
  },
  {
    name: 'second path is located',
    yaml: rule(
      '          - path: /\n            pathType: Prefix\n            backend: {service: {name: web, port: {number: 80}}}\n          - path: /x/..\n            pathType: Prefix\n            backend: {service: {name: web, port: {number: 80}}}',
    ),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.rules[0].http.paths[1].path', line: 13, column: 13, message: /end with "\/\.\."/ },
  },
  {
    name: 'host with a port',
    yaml: ing('  rules:\n    - host: example.com:8080'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.rules[0].host', line: 7, column: 7, message: /port/ },
  },
  {
    name: 'host is an IP',
    yaml: ing('  rules:\n    - host: 10.0.0.1'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.rules[0].host', line: 7, column: 7, message: /not an IP/ },
  },
  {
    name: 'wildcard host must be *. and a subdomain',
    yaml: ing('  rules:\n    - host: "*example.com"'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.rules[0].host', line: 7, column: 7 },
  },
  {
    name: 'backend needs exactly one of service or resource',
    yaml: rule('          - path: /\n            pathType: Prefix\n            backend: {}'),
    expect: { code: 'EW_FIELD_REQUIRED', field: 'spec.rules[0].http.paths[0].backend', line: 12, column: 13, message: /exactly one of service or resource/ },
  },
  {
    name: 'backend with both service and resource',
    yaml: rule(
      '          - path: /\n            pathType: Prefix\n            backend:\n              service: {name: web, port: {number: 80}}\n              resource: {kind: Bucket, name: b}',
    ),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.rules[0].http.paths[0].backend', line: 12, column: 13 },
  },
  {
    name: 'service backend needs a name',
    yaml: rule('          - path: /\n            pathType: Prefix\n            backend:\n              service: {port: {number: 80}}'),
    expect: { code: 'EW_FIELD_REQUIRED', field: 'spec.rules[0].http.paths[0].backend.service.name', line: 13, column: 15 },
  },
  {
    name: 'service port with both number and name',
    yaml: rule(
      '          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: web\n                port: {number: 80, name: http}',
    ),
    expect: {
      code: 'EW_FIELD_INVALID',
      field: 'spec.rules[0].http.paths[0].backend.service.port',
      line: 15,
      column: 17,
      message: /exactly one of number or name/,
    },
  },
  {
    name: 'service port missing',
    yaml: rule('          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: web'),
    expect: { code: 'EW_FIELD_REQUIRED', field: 'spec.rules[0].http.paths[0].backend.service.port', line: 13, column: 15 },
  },
  {
    name: 'tls hosts',
    yaml: ing('  defaultBackend: {service: {name: web, port: {number: 80}}}\n  tls:\n    - hosts: [example.com, "bad host"]'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.tls[0].hosts[1]', line: 8, column: 28 },
  },
  {
    name: 'defaultBackend follows the backend rules',
    yaml: ing('  defaultBackend:\n    service: {name: web, port: {number: 70000}}'),
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.defaultBackend.service.port.number', line: 7, column: 33 },
  },
  {
    name: 'Ingress needs rules or a default backend',
    yaml: ing('  ingressClassName: edgeway'),
    expect: { code: 'EW_FIELD_REQUIRED', field: 'spec', line: 5, column: 1 },
  },

  // --- IngressClass, Deployment, Secret, IPAddressPool
  {
    name: 'IngressClass controller is a domain-prefixed path',
    yaml: 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: edgeway\nspec:\n  controller: edgeway\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.controller', line: 6, column: 3, message: /domain-prefixed/ },
  },
  {
    name: 'Deployment selector required',
    yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: app}]}\n',
    expect: { code: 'EW_FIELD_REQUIRED', field: 'spec.selector', line: 5, column: 1 },
  },
  {
    name: 'Deployment selector must match template labels',
    yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n      labels: {app: api}\n    spec: {containers: [{name: app}]}\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'spec.template.metadata.labels', line: 9, column: 7, message: /do not match spec\.selector/ },
  },
  {
    name: 'Secret data is base64',
    yaml: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: not base64!\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'data.password', line: 6, column: 3, message: /base64/ },
  },
  {
    name: 'TLS Secret needs tls.crt and tls.key',
    yaml: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: kubernetes.io/tls\ndata:\n  tls.crt: Zm9v\n',
    expect: { code: 'EW_FIELD_REQUIRED', field: 'data', line: 6, column: 1, message: /tls\.key/ },
  },
  // --- endpoint addresses the API server refuses (loopback stays allowed)
  {
    name: 'Endpoints address link-local',
    yaml: 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: e\nsubsets:\n  - addresses:\n      - ip: 169.254.1.2\n',
    expect: {
      code: 'EW_FIELD_INVALID',
      field: 'subsets[0].addresses[0].ip',
      line: 7,
      column: 9,
      message: /may not be in the link-local range \(169\.254\.0\.0\/16, fe80::\/10\)/,
    },
  },
  {
    name: 'Endpoints address unspecified',
    yaml: 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: e\nsubsets:\n  - addresses:\n      - ip: 0.0.0.0\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'subsets[0].addresses[0].ip', line: 7, column: 9, message: /may not be unspecified \(0\.0\.0\.0\)/ },
  },
  {
    name: 'Endpoints address link-local multicast',
    yaml: 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: e\nsubsets:\n  - addresses:\n      - ip: 224.0.0.251\n',
    expect: {
      code: 'EW_FIELD_INVALID',
      field: 'subsets[0].addresses[0].ip',
      line: 7,
      column: 9,
      message: /link-local multicast range \(224\.0\.0\.0\/24, ff02::\/10\)/,
    },
  },
  {
    name: 'EndpointSlice IPv6 link-local',
    yaml: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: s\n  labels: {kubernetes.io/service-name: web}\naddressType: IPv6\nendpoints:\n  - addresses: ["fe80::1"]\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'endpoints[0].addresses[0]', line: 8, column: 17, message: /link-local range/ },
  },
  {
    name: 'EndpointSlice IPv6 unspecified',
    yaml: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: s\n  labels: {kubernetes.io/service-name: web}\naddressType: IPv6\nendpoints:\n  - addresses: ["::"]\n',
    expect: { code: 'EW_FIELD_INVALID', field: 'endpoints[0].addresses[0]', line: 8, column: 17, message: /may not be unspecified \(::\)/ },
  },
  {
    name: 'IPAddressPool needs addresses (shallow)',
    yaml: 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: pool\nspec: {}\n',
    expect: { code: 'EW_FIELD_REQUIRED', field: 'spec.addresses', line: 5, column: 1 },
  },
];

for (const c of cases) {
  test(`invalid: ${c.name}`, (t) => {
    const load = loadConfigText([{ path: 'case.yaml', text: c.yaml }]);
    t.false(load.fatal);
    t.is(load.objects.length, 0, 'the object is skipped');
    t.is(load.skipped, 1);
    const found = load.diagnostics.find((d) => d.code === c.expect.code && d.field === c.expect.field);
    t.truthy(
      found,
      `expected ${c.expect.code} at ${c.expect.field}; got:\n${load.diagnostics.map((d) => `${d.code} ${d.field ?? ''} ${d.message}`).join('\n')}`,
    );
    if (found === undefined) return;
    t.is(found.severity, 'error');
    t.deepEqual(found.position, { file: 'case.yaml', line: c.expect.line, column: c.expect.column });
    t.truthy(found.object, 'names the object');
    if (c.expect.message !== undefined) t.regex(found.message, c.expect.message);
  });
}

const valid: readonly { name: string; yaml: string }[] = [
  {
    name: 'Service with named ports',
    yaml: svc(
      '  type: LoadBalancer\n  selector: {app: web}\n  ports:\n    - {name: http, port: 80, targetPort: http, nodePort: 30080}\n    - {name: https, port: 443, targetPort: 8443, protocol: TCP}',
    ),
  },
  { name: 'headless Service without ports', yaml: svc('  clusterIP: None\n  selector: {app: web}') },
  { name: 'ExternalName with trailing dot', yaml: svc('  type: ExternalName\n  externalName: api.example.com.') },
  {
    name: 'Ingress with every backend form',
    yaml: ing(
      '  ingressClassName: edgeway\n  tls: [{hosts: ["*.example.com"], secretName: web-tls}]\n  rules:\n    - host: "*.example.com"\n      http:\n        paths:\n          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}\n          - {path: /exact, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}\n          - {pathType: ImplementationSpecific, backend: {resource: {kind: Bucket, name: b}}}',
    ),
  },
  {
    name: 'Deployment with matchExpressions',
    yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 2\n  selector:\n    matchExpressions: [{key: app, operator: In, values: [web]}]\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: app\n          ports: [{name: http, containerPort: 8080}]\n          readinessProbe: {httpGet: {path: /healthz, port: http}}\n',
  },
  {
    name: 'TLS Secret',
    yaml: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: kubernetes.io/tls\ndata:\n  tls.crt: Zm9vYmFy\n  tls.key: |\n    Zm9v\n    YmFy\n',
  },
  {
    name: 'Endpoints on loopback (an edgeway extension: backends on this machine)',
    yaml: 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: e\nsubsets:\n  - addresses: [{ip: 127.0.0.1}, {ip: "::1"}]\n',
  },
  {
    name: 'EndpointSlice',
    yaml: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-1\n  labels: {kubernetes.io/service-name: web}\naddressType: IPv6\nendpoints:\n  - addresses: ["fd00::1"]\n    conditions: {ready: true}\nports:\n  - {name: http, port: 8080, protocol: TCP}\n',
  },
];

for (const c of valid) {
  test(`valid: ${c.name}`, (t) => {
    const load = loadConfigText([{ path: 'ok.yaml', text: c.yaml }]);
    t.deepEqual(
      load.diagnostics.map((d) => `${d.code} ${d.field ?? ''}: ${d.message}`),
      [],
    );
    t.is(load.objects.length, 1);
  });
}

test('ingress path rules as a table', (t) => {
  const table: readonly [string, string, boolean][] = [
    ['/', 'Prefix', true],
    ['/a/b', 'Exact', true],
    ['', 'Prefix', false],
    ['', 'ImplementationSpecific', true],
    ['a', 'ImplementationSpecific', false],
    ['/a/./b', 'Prefix', false],
    ['/a/../b', 'Prefix', false],
    ['/a%2Fb', 'Exact', false],
    ['/a%2fb', 'Exact', false],
    ['/a/.', 'Prefix', false],
    ['/a//b', 'ImplementationSpecific', true],
  ];
  for (const [path, type, ok] of table) t.is(ingressPathProblem(path, type) === undefined, ok, `${type} ${JSON.stringify(path)}`);
});

test('name rules as a table', (t) => {
  const table: readonly [names.Rule, string, boolean][] = [
    [names.dns1123Label, 'web-1', true],
    [names.dns1123Label, 'Web', false],
    [names.dns1123Label, '-web', false],
    [names.dns1123Label, 'a'.repeat(64), false],
    [names.dns1123Subdomain, 'api.example.com', true],
    [names.dns1123Subdomain, 'api..example.com', false],
    [names.dns1123Subdomain, `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`, true],
    [names.dns1123Subdomain, `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, false],
    [names.dns1035Label, 'web', true],
    [names.dns1035Label, '1web', false],
    [names.ianaServiceName, 'http', true],
    [names.ianaServiceName, 'h2c-alt', true],
    [names.ianaServiceName, '8080', false],
    [names.ianaServiceName, 'http--alt', false],
    [names.ianaServiceName, 'http-', false],
    [names.ianaServiceName, 'abcdefghijklmnop', false],
    [names.qualifiedName, 'app', true],
    [names.qualifiedName, 'app.kubernetes.io/name', true],
    [names.qualifiedName, 'Example.com/name', false],
    [names.qualifiedName, '/name', false],
    [names.qualifiedName, 'a/b/c', false],
    [names.labelValue, '', true],
    [names.labelValue, 'v1.2_3-x', true],
    [names.labelValue, 'v1 ', false],
    [names.ingressHost, '*.example.com', true],
    [names.ingressHost, '*', false],
    [names.ingressHost, 'a.*.example.com', false],
    [names.ingressHost, '::1', false],
    [names.domainPrefixedPath, 'edgeway.io/ingress-controller', true],
    [names.domainPrefixedPath, 'edgeway.io/', false],
    [names.domainPrefixedPath, 'Edgeway.io/x', false],
    [names.configKey, 'tls.crt', true],
    [names.configKey, '..', false],
    [names.configKey, 'a/b', false],
  ];
  for (const [rule, value, ok] of table) t.is(rule(value) === undefined, ok, `${rule.name}(${JSON.stringify(value)})`);
});
