/**
 * Validates one object of a known kind: the checks every kind shares (apiVersion, metadata, unknown fields), then
 * the kind's own validator. Pure: the object in, its diagnostics out.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import { KINDS } from './kinds.ts';
import { METADATA_SHAPE, reportUnknownFields, type Shape } from './known-fields.ts';
import { validateMetadata } from './metadata.ts';
import { Report } from './report.ts';

/**
 * Diagnostics for `source`; an unknown kind yields none here (the loader warns about it and leaves it out).
 */
export function validateObject(source: LoadedObject): Diagnostic[] {
  const kind = KINDS.get(source.object.kind);
  if (kind === undefined) return [];
  const r = new Report(source);
  if (source.object.apiVersion !== kind.apiVersion) {
    r.error(
      'EW_API_VERSION_MISMATCH',
      ['apiVersion'],
      `${JSON.stringify(source.object.apiVersion)} is not served for ${source.object.kind}: use apiVersion: ${kind.apiVersion}`,
    );
    // Fields of another version would produce misleading findings; the apiVersion is the one thing to fix.
    return r.diagnostics;
  }
  validateMetadata(r, source.object.metadata, kind.name);
  const shape: Shape = { apiVersion: null, kind: null, metadata: METADATA_SHAPE, ...kind.shape };
  reportUnknownFields(r, source.object, shape, []);
  // In reading order, so a person fixing them goes down the file once.
  return [...r.diagnostics, ...kind.validate(source)].sort(
    (a, b) => (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.column ?? 0) - (b.position?.column ?? 0),
  );
}
