/**
 * The API server's 422 Invalid Status from edgeway's diagnostics: message format (one error bare, several in
 * `[...]`), the group in the kind, causes with reasons and fields, and edgeway's codes worded as the API server
 * words them (NodePort conflicts and range, duplicate ports and names, unsupported values, ClusterIPs).
 */
import test from 'ava';
import type { Diagnostic } from '../../src/config/diagnostic.ts';
import { kindEntryOf } from '../../src/k8s/kinds.ts';
import type { KindEntry } from '../../src/k8s/kind-entry.ts';
import { ingressCreateDiagnostics } from '../../src/api/validation/ingress-create.ts';
import { invalidStatus } from '../../src/api/validation/invalid-status.ts';
import type { KubeObject } from '../../src/k8s/types.ts';

function entry(kind: string): KindEntry {
  const e = kindEntryOf(kind);
  if (e === undefined) throw new Error(kind);
  return e;
}

function diag(code: string, field: string, message: string): Diagnostic {
  return { severity: 'error', code, field, message, object: 'Service default/web' };
}

const CASES: readonly { name: string; diag: Diagnostic; text: string; reason: string; field?: string }[] = [
  {
    name: 'NodePort taken',
    diag: diag('EW_NODEPORT_TAKEN', 'spec.ports[0].nodePort', '30007: provided port is already allocated (to Service default/other, TCP)'),
    text: 'spec.ports[0].nodePort: Invalid value: 30007: provided port is already allocated',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'NodePort out of range',
    diag: diag('EW_NODEPORT_OUT_OF_RANGE', 'spec.ports[0].nodePort', '80: provided port is not in the valid range. The range of valid ports is 30000-32767'),
    text: 'spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'required',
    diag: diag('EW_FIELD_REQUIRED', 'spec.ports[0].port', 'is required: the port number the Service listens on (1–65535)'),
    text: 'spec.ports[0].port: Required value',
    reason: 'FieldValueRequired',
  },
  {
    name: 'unsupported value',
    diag: diag('EW_FIELD_INVALID', 'spec.type', '"Foo" is not supported: use ClusterIP, NodePort, LoadBalancer or ExternalName'),
    text: 'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "NodePort", "LoadBalancer", "ExternalName"',
    reason: 'FieldValueNotSupported',
  },
  {
    name: 'duplicate port name',
    diag: diag('EW_FIELD_INVALID', 'spec.ports[1].name', '"http" is already the name of port [0]: port names must be unique'),
    text: 'spec.ports[1].name: Duplicate value: "http"',
    reason: 'FieldValueDuplicate',
  },
  {
    name: 'duplicate port and protocol: the API server names the whole port',
    diag: diag('EW_FIELD_INVALID', 'spec.ports[1].port', '80/TCP is already declared by port [0]: each port and protocol may appear once'),
    text:
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, ' +
      'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    reason: 'FieldValueDuplicate',
    field: 'spec.ports[1]',
  },
  {
    name: 'port number out of range',
    diag: diag('EW_FIELD_INVALID', 'spec.ports[0].port', '70000 is not a valid port number: use 1–65535'),
    text: 'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'nodePort on ClusterIP',
    diag: diag('EW_FIELD_INVALID', 'spec.ports[0].nodePort', 'may not be set when type is ClusterIP: remove it or use type NodePort or LoadBalancer'),
    text: "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    reason: 'FieldValueForbidden',
  },
  {
    name: "a bad name gets the API server's explanation of the rule",
    diag: diag('EW_FIELD_INVALID', 'metadata.name', '"Web_1" must be a DNS-1035 label: at most 63 lowercase letters, digits or "-", starting with a letter'),
    text:
      'metadata.name: Invalid value: "Web_1": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic ' +
      "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    reason: 'FieldValueInvalid',
  },
  {
    name: 'a bad subdomain',
    diag: diag('EW_FIELD_INVALID', 'spec.tls[0].secretName', '"A" must be a DNS-1123 subdomain: at most 253 lowercase letters'),
    text:
      "spec.tls[0].secretName: Invalid value: \"A\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
      "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    reason: 'FieldValueInvalid',
  },
  {
    name: 'a name that is too long',
    diag: diag('EW_FIELD_INVALID', 'metadata.namespace', `"${'a'.repeat(64)}" must be a DNS-1123 label: at most 63 lowercase letters`),
    text: `metadata.namespace: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`,
    reason: 'FieldValueInvalid',
  },
  {
    name: "any other invalid value keeps edgeway's explanation",
    diag: diag('EW_FIELD_INVALID', 'spec.rules[0].host', '"1.2.3.4" must be a DNS name, not an IP address: leave host out to match every address'),
    text: 'spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address: leave host out to match every address',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'ClusterIP taken',
    diag: diag('EW_CLUSTERIP_TAKEN', 'spec.clusterIP', 'failed to allocate IP 10.96.0.10: provided IP is already allocated (to Service kube-system/dns)'),
    text: 'spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    reason: 'FieldValueInvalid',
    field: 'spec.clusterIPs',
  },
  {
    name: 'ClusterIP out of range',
    diag: diag('EW_CLUSTERIP_OUT_OF_RANGE', 'spec.clusterIP', 'the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12'),
    text:
      'spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. ' +
      'The range of valid IPs is 10.96.0.0/12',
    reason: 'FieldValueInvalid',
    field: 'spec.clusterIPs',
  },
];

for (const c of CASES) {
  test(`invalidStatus: ${c.name}`, (t) => {
    const status = invalidStatus(entry('Service'), 'web', [c.diag]);
    t.is(status.code, 422);
    t.is(status.reason, 'Invalid');
    t.is(status.message, `Service "web" is invalid: ${c.text}`);
    const field = c.field ?? c.diag.field ?? '';
    t.deepEqual(status.details, {
      name: 'web',
      kind: 'Service',
      causes: [{ reason: c.reason, message: c.text.slice(field.length + 2), field }],
    });
  });
}

test('invalidStatus: several errors inside [...] joined by ", ", warnings left out, duplicates once', (t) => {
  const status = invalidStatus(entry('Service'), 'web', [
    diag('EW_FIELD_REQUIRED', 'spec.ports[0].port', 'is required'),
    { ...diag('EW_FIELD_UNKNOWN', 'spec.foo', 'is not a field'), severity: 'warning' },
    diag('EW_NODEPORT_TAKEN', 'spec.ports[1].nodePort', '30007: provided port is already allocated (to Service default/a, TCP)'),
    diag('EW_FIELD_REQUIRED', 'spec.ports[0].port', 'is required'),
  ]);
  t.is(
    status.message,
    'Service "web" is invalid: [spec.ports[0].port: Required value, spec.ports[1].nodePort: Invalid value: 30007: provided port is already allocated]',
  );
  t.is(status.details?.causes?.length, 3);
});

test('invalidStatus: a kind outside the core group is named Kind.group', (t) => {
  const status = invalidStatus(entry('Ingress'), 'web', [diag('EW_FIELD_REQUIRED', 'spec.rules[0].http.paths[0].pathType', 'is required')]);
  t.is(status.message, 'Ingress.networking.k8s.io "web" is invalid: spec.rules[0].http.paths[0].pathType: Required value');
  t.is(status.details?.kind, 'Ingress');
});

test('invalidStatus: an error without a field is the body alone', (t) => {
  const status = invalidStatus(entry('Service'), 'web', [{ severity: 'error', code: 'EW_FIELD_INVALID', message: 'something is off' }]);
  t.is(status.message, 'Service "web" is invalid: Invalid value: something is off');
  t.deepEqual(status.details?.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: something is off' }]);
});

test('ingressCreateDiagnostics: the class annotation must match ingressClassName when both are given', (t) => {
  const ingress = (annotation: string | undefined, className: string | undefined): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'default', ...(annotation === undefined ? {} : { annotations: { 'kubernetes.io/ingress.class': annotation } }) },
    spec: className === undefined ? {} : { ingressClassName: className },
  });
  t.deepEqual(ingressCreateDiagnostics(ingress('nginx', undefined)), []);
  t.deepEqual(ingressCreateDiagnostics(ingress(undefined, 'edgeway')), []);
  t.deepEqual(ingressCreateDiagnostics(ingress('edgeway', 'edgeway')), []);
  const found = ingressCreateDiagnostics(ingress('nginx', 'edgeway'));
  t.is(
    invalidStatus(entry('Ingress'), 'web', found).message,
    'Ingress.networking.k8s.io "web" is invalid: annotations.kubernetes.io/ingress.class: Invalid value: "nginx": must match `ingressClassName` when both are specified',
  );
});
