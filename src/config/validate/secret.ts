/**
 * Secret: data keys, base64 values and the type's required keys. Whether the bytes are a usable certificate is the
 * TLS layer's concern; here only what the API server would reject.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import type { Shape } from './known-fields.ts';
import { configKey } from './names.ts';
import { Report } from './report.ts';
import { boolean, check, mapping, string } from './values.ts';

export const SECRET_SHAPE: Shape = { type: null, data: null, stringData: null, immutable: null };

/** Keys the API server requires for each built-in type. */
const REQUIRED_KEYS: Readonly<Record<string, readonly string[]>> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/basic-auth': [],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
};
const MAX_SECRET_BYTES = 1024 * 1024;

/** Standard base64 with padding, as Go's decoder for []byte fields accepts it (line breaks ignored). */
export function isBase64(text: string): boolean {
  const compact = text.replace(/[\r\n]/g, '');
  return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
}

export function validateSecret(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  const obj = source.object;
  const type = string(r, obj['type'], ['type']) ?? 'Opaque';
  if (type === '') r.error('EW_FIELD_INVALID', ['type'], 'must not be empty: leave it out for Opaque');
  boolean(r, obj['immutable'], ['immutable']);
  const keys = new Set<string>();
  let bytes = 0;
  const data = mapping(r, obj['data'], ['data']) ?? {};
  for (const [key, value] of Object.entries(data)) {
    check(r, key, ['data', key], configKey);
    const text = string(r, value, ['data', key]);
    if (text !== undefined && !isBase64(text)) {
      r.error('EW_FIELD_INVALID', ['data', key], 'is not valid base64: encode the value (base64 -w0 file), or put plain text under stringData');
    }
    bytes += Math.floor(((text ?? '').length * 3) / 4);
    keys.add(key);
  }
  const stringData = mapping(r, obj['stringData'], ['stringData']) ?? {};
  for (const [key, value] of Object.entries(stringData)) {
    check(r, key, ['stringData', key], configKey);
    bytes += Buffer.byteLength(string(r, value, ['stringData', key]) ?? '');
    keys.add(key);
  }
  for (const key of REQUIRED_KEYS[type] ?? []) {
    if (!keys.has(key)) r.error('EW_FIELD_REQUIRED', ['data'], `must contain the key ${JSON.stringify(key)} for a Secret of type ${type}`);
  }
  if (bytes > MAX_SECRET_BYTES) r.error('EW_FIELD_INVALID', ['data'], `holds about ${bytes} bytes; a Secret may hold at most 1 MiB`);
  return r.diagnostics;
}
