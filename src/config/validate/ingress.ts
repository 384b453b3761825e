/**
 * Ingress (networking.k8s.io/v1): hosts, paths and path types, backends (exactly one of service or resource, a
 * service port by number or by name) and TLS hosts, following the API server's ValidateIngress.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import type { Shape } from './known-fields.ts';
import { dns1035Label, dns1123Subdomain, ianaServiceName, ingressHost } from './names.ts';
import { portNumber } from './ports.ts';
import { Report, type FieldPath } from './report.ts';
import { alternatives, check, child, isAbsent, list, mapping, string } from './values.ts';

const BACKEND_SHAPE: Shape = {
  service: { name: null, port: { name: null, number: null } },
  resource: { apiGroup: null, kind: null, name: null },
};

export const INGRESS_SHAPE: Shape = {
  spec: {
    ingressClassName: null,
    defaultBackend: BACKEND_SHAPE,
    rules: { host: null, http: { paths: { path: null, pathType: null, backend: BACKEND_SHAPE } } },
    tls: { hosts: null, secretName: null },
  },
  status: null,
};

export const PATH_TYPES = ['Exact', 'Prefix', 'ImplementationSpecific'] as const;
const BAD_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const BAD_SUFFIXES = ['/..', '/.'];

/** What is wrong with a path for its type, if anything (pure, shared with the tests). */
export function ingressPathProblem(path: string, pathType: string): string | undefined {
  if (path !== '' && !path.startsWith('/')) return 'must be an absolute path starting with "/"';
  if (pathType !== 'Exact' && pathType !== 'Prefix') return undefined;
  if (path === '') return `is required for pathType ${pathType}: an absolute path starting with "/"`;
  const seq = BAD_SEQUENCES.find((s) => path.includes(s));
  if (seq !== undefined) return `must not contain "${seq}"; write the path in its normal form`;
  const suffix = BAD_SUFFIXES.find((s) => path.endsWith(s));
  if (suffix !== undefined) return `must not end with "${suffix}"; write the path in its normal form`;
  return undefined;
}

export function validateIngress(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  const spec = mapping(r, source.object['spec'], ['spec']);
  check(r, string(r, child(spec, 'ingressClassName'), ['spec', 'ingressClassName']), ['spec', 'ingressClassName'], dns1123Subdomain);

  const rules = list(r, child(spec, 'rules'), ['spec', 'rules']);
  const defaultBackend = child(spec, 'defaultBackend');
  if (rules.length === 0 && isAbsent(defaultBackend)) {
    r.error('EW_FIELD_REQUIRED', ['spec'], 'needs rules or a defaultBackend: an Ingress without either routes nothing');
  }
  if (!isAbsent(defaultBackend)) validateBackend(r, defaultBackend, ['spec', 'defaultBackend']);
  rules.forEach((rule, i) => validateRule(r, rule, ['spec', 'rules', i]));

  list(r, child(spec, 'tls'), ['spec', 'tls']).forEach((tls, i) => {
    const at = ['spec', 'tls', i];
    if (mapping(r, tls, at) === undefined) return;
    list(r, child(tls, 'hosts'), [...at, 'hosts']).forEach((h, j) => check(r, string(r, h, [...at, 'hosts', j]), [...at, 'hosts', j], ingressHost));
    check(r, string(r, child(tls, 'secretName'), [...at, 'secretName']), [...at, 'secretName'], dns1123Subdomain);
  });
  return r.diagnostics;
}

function validateRule(r: Report, rule: unknown, at: FieldPath): void {
  if (mapping(r, rule, at) === undefined) return;
  check(r, string(r, child(rule, 'host'), [...at, 'host']), [...at, 'host'], ingressHost);
  const http = mapping(r, child(rule, 'http'), [...at, 'http']);
  if (http === undefined) return;
  const paths = list(r, http['paths'], [...at, 'http', 'paths']);
  if (paths.length === 0) r.error('EW_FIELD_REQUIRED', [...at, 'http', 'paths'], 'must list at least one path');
  paths.forEach((p, j) => {
    const pat = [...at, 'http', 'paths', j];
    if (mapping(r, p, pat) === undefined) return;
    const pathType = string(r, child(p, 'pathType'), [...pat, 'pathType']);
    if (pathType === undefined || pathType === '') {
      r.error('EW_FIELD_REQUIRED', [...pat, 'pathType'], `is required: use ${alternatives(PATH_TYPES)}`);
    } else if (!(PATH_TYPES as readonly string[]).includes(pathType)) {
      r.error('EW_FIELD_INVALID', [...pat, 'pathType'], `${JSON.stringify(pathType)} is not a path type: use ${alternatives(PATH_TYPES)}`);
    }
    const path = string(r, child(p, 'path'), [...pat, 'path']) ?? '';
    const problem = ingressPathProblem(path, pathType ?? '');
    if (problem !== undefined)
      r.error(path === '' ? 'EW_FIELD_REQUIRED' : 'EW_FIELD_INVALID', [...pat, 'path'], path === '' ? problem : `${JSON.stringify(path)} ${problem}`);
    if (isAbsent(child(p, 'backend')))
      r.error('EW_FIELD_REQUIRED', [...pat, 'backend'], 'is required: name a service (name and port) to send matching requests to');
    else validateBackend(r, child(p, 'backend'), [...pat, 'backend']);
  });
}

function validateBackend(r: Report, value: unknown, at: FieldPath): void {
  const backend = mapping(r, value, at);
  if (backend === undefined) return;
  const hasService = !isAbsent(backend['service']);
  const hasResource = !isAbsent(backend['resource']);
  if (hasService === hasResource) {
    r.error(hasService ? 'EW_FIELD_INVALID' : 'EW_FIELD_REQUIRED', at, 'must name exactly one of service or resource');
  }
  if (hasService) {
    const service = mapping(r, backend['service'], [...at, 'service']);
    if (service === undefined) return;
    const name = string(r, service['name'], [...at, 'service', 'name']);
    if (name === undefined || name === '') r.error('EW_FIELD_REQUIRED', [...at, 'service', 'name'], 'is required: the name of a Service in the same namespace');
    check(r, name, [...at, 'service', 'name'], dns1035Label);
    const port = mapping(r, service['port'], [...at, 'service', 'port']);
    const number = child(port, 'number');
    const portName = child(port, 'name');
    const has = [!isAbsent(number) && number !== 0, !isAbsent(portName) && portName !== ''];
    if (has[0] === has[1]) {
      r.error(
        has[0] ? 'EW_FIELD_INVALID' : 'EW_FIELD_REQUIRED',
        [...at, 'service', 'port'],
        'must give exactly one of number or name (e.g. "port: {number: 80}")',
      );
    }
    if (has[0]) portNumber(r, number, [...at, 'service', 'port', 'number']);
    check(r, string(r, portName, [...at, 'service', 'port', 'name']) || undefined, [...at, 'service', 'port', 'name'], ianaServiceName);
  }
  if (hasResource) {
    const resource = mapping(r, backend['resource'], [...at, 'resource']);
    if (resource === undefined) return;
    for (const field of ['kind', 'name']) {
      const v = string(r, resource[field], [...at, 'resource', field]);
      if (v === undefined || v === '') r.error('EW_FIELD_REQUIRED', [...at, 'resource', field], `is required: the ${field} of the resource to route to`);
    }
    check(r, string(r, resource['apiGroup'], [...at, 'resource', 'apiGroup']) || undefined, [...at, 'resource', 'apiGroup'], dns1123Subdomain);
  }
}
