/**
 * ConfigMap: accepted as is apart from the shape of its keys and values; edgeway does not read ConfigMaps itself.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import type { Shape } from './known-fields.ts';
import { configKey } from './names.ts';
import { Report } from './report.ts';
import { isBase64 } from './secret.ts';
import { boolean, check, mapping, string } from './values.ts';

export const CONFIG_MAP_SHAPE: Shape = { data: null, binaryData: null, immutable: null };

export function validateConfigMap(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  boolean(r, source.object['immutable'], ['immutable']);
  for (const field of ['data', 'binaryData']) {
    for (const [key, value] of Object.entries(mapping(r, source.object[field], [field]) ?? {})) {
      check(r, key, [field, key], configKey);
      const text = string(r, value, [field, key]);
      if (field === 'binaryData' && text !== undefined && !isBase64(text)) r.error('EW_FIELD_INVALID', [field, key], 'is not valid base64');
    }
  }
  return r.diagnostics;
}
