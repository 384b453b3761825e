/**
 * A write's body as one object of the kind in the path: parsed by the loader's YAML parser (JSON is YAML), so
 * validation diagnostics point into the body, with the path's namespace put in and its name and kind checked
 * against the path (400 when they differ, as the API server answers).
 */
import { formatDiagnostic } from '../../config/diagnostic.ts';
import { documentObjects } from '../../config/document-objects.ts';
import type { LoadedObject } from '../../config/loaded-object.ts';
import { parseYamlFile } from '../../config/parse-yaml.ts';
import type { KindEntry } from '../../k8s/kind-entry.ts';
import type { KubeObject } from '../../k8s/types.ts';
import type { ApiTarget } from './api-paths.ts';
import { kubeStatus } from '../kube-status.ts';
import type { PatchOptions } from '../patch/apply-patch.ts';
import { invalidStatus } from '../validation/invalid-status.ts';
import { fail, type Reply } from './reply.ts';

/** One write request, decoded from its path, query and headers. */
export interface Write {
  readonly target: ApiTarget;
  readonly entry: KindEntry;
  readonly body: string;
  readonly dryRun: boolean;
  readonly options: PatchOptions;
  /** The body is a patch's result whose managedFields the patch already recorded. */
  readonly tracked?: boolean;
}

/** Body → object with positions in the body, checked against the path. */
export function decodeObject(w: Write, name: string | undefined): LoadedObject | Reply {
  const file = parseYamlFile('request body', w.body);
  const first = file.documents[0];
  if (file.fatal || first === undefined || file.documents.length > 1) {
    return fail(kubeStatus('BadRequest', `the body must be one JSON or YAML object: ${file.diagnostics.map(formatDiagnostic).join('; ')}`));
  }
  const value = first.value as Partial<KubeObject>;
  if (typeof value === 'object' && value !== null && typeof value.metadata === 'object' && value.metadata !== null && w.entry.namespaced) {
    const ns = value.metadata.namespace;
    if (ns !== undefined && w.target.namespace !== undefined && ns !== w.target.namespace) {
      return fail(kubeStatus('BadRequest', `the namespace of the provided object does not match the namespace sent on the request`));
    }
    if (w.target.namespace !== undefined) value.metadata.namespace = w.target.namespace;
  }
  const found = documentObjects(first, true);
  const loaded = found.objects[0];
  if (loaded === undefined) return fail(invalidStatus(w.entry, name ?? '', found.diagnostics));
  const o = loaded.object;
  if (o.kind !== w.entry.kind) return fail(kubeStatus('BadRequest', `the object is a ${o.kind}, but the path is for ${w.entry.plural}`));
  if (name !== undefined && o.metadata.name !== name)
    return fail(kubeStatus('BadRequest', `the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`));
  return loaded;
}
