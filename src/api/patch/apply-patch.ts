/**
 * PATCH, as the API server answers it: the body's content type picks JSON merge patch, JSON patch, strategic
 * merge patch or server-side apply; the patched object keeps its identity (kind, apiVersion, name) and its
 * managedFields record the write (operation Update for the three patch types, Apply for apply). Unknown content
 * types, and strategic merge patch on kinds served from custom resource definitions, are 415. Pure.
 */
import { parse as parseYaml } from 'yaml';
import type { KindEntry } from '../../k8s/kind-entry.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { kubeStatus, type KubeStatus } from '../kube-status.ts';
import { mergePatch } from '../merge-patch.ts';
import { CUSTOM_RESOURCE_KINDS } from './field-rules.ts';
import { applyJsonPatch } from './json-patch.ts';
import { isPlainObject } from './json-values.ts';
import { trackUpdate as track } from './managed-fields.ts';
import { serverSideApply } from './server-side-apply.ts';
import { applyStrategicPatch } from './strategic-merge.ts';

export interface PatchOptions {
  readonly fieldManager: string;
  readonly force: boolean;
  readonly now: Date;
}
export type PatchResult = { readonly ok: true; readonly object: KubeObject } | { readonly ok: false; readonly status: KubeStatus };

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

/** The media types PATCH accepts for `entry`, in the order the API server lists them. */
export function patchTypes(entry: KindEntry): readonly string[] {
  return CUSTOM_RESOURCE_KINDS.has(entry.kind) ? [JSON_PATCH, MERGE_PATCH, APPLY_PATCH] : [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH];
}

/**
 * Applies a PATCH body of `contentType` to `live` (null: the object does not exist, which only apply-patch may
 * create). Unknown content types → 415 Status. managedFields are maintained for every operation (Update for the
 * non-apply patches).
 */
export function applyPatch(entry: KindEntry, live: KubeObject | null, contentType: string, body: string, options: PatchOptions): PatchResult {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const accepted = patchTypes(entry);
  if (!accepted.includes(type)) {
    return fail(kubeStatus('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`));
  }
  if (type === APPLY_PATCH) {
    let config: unknown;
    try {
      config = parseYaml(body, { maxAliasCount: 100 });
    } catch (err) {
      return fail(kubeStatus('BadRequest', `error decoding YAML: ${(err as Error).message}`));
    }
    const applied = serverSideApply(entry, live, config, options);
    return applied.ok ? keepIdentity(live, applied.object) : applied;
  }
  if (live === null) return fail(kubeStatus('NotFound', `${resourceName(entry)} not found`));
  const patched = patchDocument(entry, live, type, body);
  if (!patched.ok) return patched;
  const checked = keepIdentity(live, patched.value);
  return checked.ok ? { ok: true, object: track(entry, live, checked.object, options) } : checked;
}

/** Applies one of the three patch formats; the result is not checked yet. */
function patchDocument(
  entry: KindEntry,
  live: KubeObject,
  type: string,
  body: string,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly status: KubeStatus } {
  if (type === JSON_PATCH) return applyJsonPatch(live, body);
  if (type === STRATEGIC_MERGE_PATCH) return applyStrategicPatch(entry.kind, live, body);
  let patch: unknown;
  try {
    patch = JSON.parse(body);
  } catch (err) {
    return { ok: false, status: kubeStatus('BadRequest', `error decoding patch: ${(err as Error).message}`) };
  }
  return { ok: true, value: mergePatch(live, patch) };
}

/** The patched value must still be the same object: an object, same kind and apiVersion, same name. */
function keepIdentity(live: KubeObject | null, value: unknown): PatchResult {
  if (!isPlainObject(value) || !isPlainObject(value['metadata'])) {
    return fail(kubeStatus('BadRequest', 'the patched object is not a Kubernetes object (it needs apiVersion, kind and metadata)'));
  }
  const object = value as KubeObject;
  if (live === null) return { ok: true, object };
  if (object.kind !== live.kind || object.apiVersion !== live.apiVersion) {
    return fail(
      kubeStatus(
        'BadRequest',
        `the patch changes the object's kind or apiVersion (${live.apiVersion} ${live.kind} to ${String(object.apiVersion)} ${String(object.kind)})`,
      ),
    );
  }
  if (object.metadata.name !== live.metadata.name) {
    return fail(
      kubeStatus('BadRequest', `the name of the object (${String(object.metadata.name)}) does not match the name on the URL (${live.metadata.name})`),
    );
  }
  return { ok: true, object };
}

function resourceName(entry: KindEntry): string {
  return entry.group === '' ? entry.plural : `${entry.plural}.${entry.group}`;
}

function fail(status: KubeStatus): PatchResult {
  return { ok: false, status };
}

/** managedFields bookkeeping for create/update (POST/PUT) by `fieldManager` (operation Update, or Apply never here). */
export function trackUpdate(entry: KindEntry, previous: KubeObject | null, next: KubeObject, options: PatchOptions): KubeObject {
  return track(entry, previous, next, options);
}
