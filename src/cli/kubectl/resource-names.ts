/**
 * The resource names `edgeway get` accepts, as kubectl does: plural, singular, kind and short name
 * (`services`, `service`, `Service`, `svc`), all read from the kind registry.
 */
import type { KindEntry } from '../../k8s/kind-entry.ts';
import { KIND_ENTRIES } from '../../k8s/kinds.ts';

export function resourceNamed(word: string): KindEntry | undefined {
  const lower = word.toLowerCase();
  return KIND_ENTRIES.find(
    (r) =>
      r.plural === lower ||
      r.singular === lower ||
      r.kind.toLowerCase() === lower ||
      r.shortNames.includes(lower) ||
      // The plural with its `s` or `es` left off (`endpoint`), as edgeway get has always accepted.
      r.plural === `${lower}s` ||
      r.plural === `${lower}es`,
  );
}

/** The admin API path of a collection or one object. */
export function apiPath(resource: KindEntry, namespace: string | undefined, name: string | undefined): string {
  const base = resource.apiVersion === 'v1' ? '/api/v1' : `/apis/${resource.apiVersion}`;
  const scope = resource.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${scope}/${resource.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
