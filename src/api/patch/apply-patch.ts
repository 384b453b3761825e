/**
 * Placeholder for PATCH and field ownership (owned by the api-patch work, which replaces this file): JSON merge
 * patch only (merge-patch.ts); every other patch type is answered 415; managedFields are left as they are.
 */
import type { KindEntry } from '../../k8s/kind-entry.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { kubeStatus, type KubeStatus } from '../kube-status.ts';
import { mergePatch } from '../merge-patch.ts';

export interface PatchOptions {
  readonly fieldManager: string;
  readonly force: boolean;
  readonly now: Date;
}

export type PatchResult = { readonly ok: true; readonly object: KubeObject } | { readonly ok: false; readonly status: KubeStatus };

/** Applies a PATCH body of `contentType` to `live` (null: the object does not exist). */
export function applyPatch(entry: KindEntry, live: KubeObject | null, contentType: string, body: string, _options: PatchOptions): PatchResult {
  if (contentType !== 'application/merge-patch+json') {
    return { ok: false, status: kubeStatus('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json`) };
  }
  if (live === null) return { ok: false, status: kubeStatus('NotFound', `${entry.plural} not found`) };
  let patch: unknown;
  try {
    patch = JSON.parse(body);
  } catch (err) {
    return { ok: false, status: kubeStatus('BadRequest', `error decoding patch: ${(err as Error).message}`) };
  }
  return { ok: true, object: mergePatch(live, patch) };
}

/** managedFields bookkeeping for create/update (POST/PUT) by `fieldManager`: none in this placeholder. */
export function trackUpdate(_entry: KindEntry, _previous: KubeObject | null, next: KubeObject, _options: PatchOptions): KubeObject {
  return next;
}
