/**
 * The Statuses that refuse a write because of the object it targets, worded as the API server words them: an
 * object from a configuration file (403, naming file and line: the file is the source of truth, and a 409 would
 * tell clients to retry) or built into edgeway (403), a stale resourceVersion (409 Conflict), a name already taken (409 AlreadyExists).
 */
import type { KindEntry } from '../../k8s/kind-entry.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { kubeStatus } from '../kube-status.ts';
import type { ServedEntry } from '../storage/served-view.ts';
import { detailsOf, fail, resourceName, type Reply } from './reply.ts';

export function readOnly(entry: KindEntry, existing: ServedEntry): Reply | null {
  const l = existing.loaded;
  if (l === null || l.origin.kind === 'api') return l === null ? forbiddenImplicit(entry, existing) : null;
  const name = existing.object.metadata.name;
  if (l.origin.kind === 'builtin') {
    return fail(kubeStatus('Forbidden', `${resourceName(entry)} ${JSON.stringify(name)} is forbidden: it is built into edgeway (it stands for edgeway itself) and is not changed through the API`, detailsOf(entry, name)));
  }
  return fail(
    kubeStatus(
      'Forbidden',
      `${resourceName(entry)} ${JSON.stringify(name)} is forbidden: it is defined in the configuration file ${l.origin.file}:${l.origin.line} and cannot be changed through the API: edit the file instead`,
      detailsOf(entry, name),
    ),
  );
}

function forbiddenImplicit(entry: KindEntry, existing: ServedEntry): Reply {
  const name = existing.object.metadata.name;
  return fail(kubeStatus('Forbidden', `${resourceName(entry)} ${JSON.stringify(name)} is forbidden: it exists because objects live in it and has no manifest to change`, detailsOf(entry, name)));
}

export function staleVersion(entry: KindEntry, object: KubeObject, existing: ServedEntry): Reply | null {
  const rv = object.metadata.resourceVersion;
  if (rv === undefined || rv === '' || rv === existing.object.metadata.resourceVersion) return null;
  const name = existing.object.metadata.name;
  return fail(
    kubeStatus('Conflict', `Operation cannot be fulfilled on ${resourceName(entry)} ${JSON.stringify(name)}: the object has been modified; please apply your changes to the latest version and try again`, detailsOf(entry, name)),
  );
}

export function alreadyExists(entry: KindEntry, name: string): Reply {
  return fail(kubeStatus('AlreadyExists', `${resourceName(entry)} ${JSON.stringify(name)} already exists`, detailsOf(entry, name)));
}

