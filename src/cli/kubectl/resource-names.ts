/**
 * The resource names `edgeway get` accepts, as kubectl does: plural, singular, kind and short name
 * (`services`, `service`, `Service`, `svc`), mapped to the admin API's resources.
 */
import { RESOURCES, type Resource } from '../../admin/api/api-paths.ts';

const SHORT: Readonly<Record<string, string>> = {
  svc: 'services',
  ep: 'endpoints',
  po: 'pods',
  cm: 'configmaps',
  no: 'nodes',
  ns: 'namespaces',
  ing: 'ingresses',
  epslice: 'endpointslices',
};

export function resourceNamed(word: string): Resource | undefined {
  const lower = word.toLowerCase();
  const plural = SHORT[lower] ?? lower;
  return RESOURCES.find((r) => r.plural === plural || r.kind.toLowerCase() === lower || r.plural === `${lower}s` || r.plural === `${lower}es`);
}

/** The admin API path of a collection or one object. */
export function apiPath(resource: Resource, namespace: string | undefined, name: string | undefined): string {
  const base = resource.apiVersion === 'v1' ? '/api/v1' : `/apis/${resource.apiVersion}`;
  const scope = resource.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${scope}/${resource.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
