/**
 * Turns a TLS Secret into validated TlsMaterial, or into diagnostics that say what is wrong and where.
 *
 * Accepts `kubernetes.io/tls` Secrets, and `Opaque` ones (with a warning) since people often create them by hand;
 * `tls.crt` / `tls.key` come from `stringData` (PEM text) when present there, as the API server would merge it over
 * `data`, else from `data` (base64). The PEM checks themselves live in pem-inspection.ts. A broken Secret never throws:
 * it returns `ok: false`, and whoever uses it falls back to the default certificate.
 */
import type { Diagnostic, Severity } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Code } from '../errors.ts';
import type { Ingress, Secret } from '../k8s/types.ts';
import { objectRef } from '../k8s/types.ts';
import { inspectPem } from './pem-inspection.ts';
import type { TlsMaterial } from './pem-inspection.ts';

export type { TlsMaterial } from './pem-inspection.ts';

export type TlsMaterialResult =
  | { readonly ok: true; readonly material: TlsMaterial; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export interface TlsMaterialOptions {
  /** The clock for validity checks; injectable for tests. */
  readonly now?: () => Date;
}

const CERT_KEY = 'tls.crt';
const KEY_KEY = 'tls.key';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `namespace/name` of a Secret, the key Ingresses use to find it. */
export function secretKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Validates one Secret as TLS material. */
export function loadTlsMaterial(loaded: LoadedObject<Secret>, options: TlsMaterialOptions = {}): TlsMaterialResult {
  const secret = loaded.object;
  const diagnostics: Diagnostic[] = [];
  const report = (severity: Severity, code: Code, path: readonly (string | number)[], message: string): void => {
    diagnostics.push({ severity, code, message, position: loaded.locate(path), object: objectRef(secret), field: formatFieldPath(path) });
  };
  const fail = (): TlsMaterialResult => ({ ok: false, diagnostics });

  const type = secret.type ?? 'Opaque';
  if (type === 'Opaque') {
    report('warning', 'EW_TLS_SECRET_OPAQUE', ['type'], 'the Secret is used for TLS but has type Opaque; set `type: kubernetes.io/tls` (accepted as is)');
  } else if (type !== 'kubernetes.io/tls') {
    report(
      'error',
      'EW_TLS_SECRET_TYPE',
      ['type'],
      `a Secret of type ${type} cannot hold TLS material; use \`type: kubernetes.io/tls\` with tls.crt and tls.key`,
    );
    return fail();
  }

  const cert = readField(secret, CERT_KEY);
  const key = readField(secret, KEY_KEY);
  for (const [name, field] of [
    [CERT_KEY, cert],
    [KEY_KEY, key],
  ] as const) {
    if (field.kind === 'missing') {
      const what = name === CERT_KEY ? 'the PEM certificate chain, leaf first' : 'the PEM private key';
      report('error', 'EW_TLS_FIELD_MISSING', ['data'], `${name} is missing; add it to data (base64) or stringData (PEM) with ${what}`);
    } else if (field.kind === 'bad-base64') {
      report(
        'error',
        'EW_TLS_BASE64_INVALID',
        field.path,
        `${name} is not valid base64; encode the PEM file with \`base64 -w0\` or put the PEM text under stringData`,
      );
    } else if (field.kind === 'double-base64') {
      report('error', 'EW_TLS_BASE64_INVALID', field.path, `${name} decodes to base64 text rather than PEM; it was encoded twice: encode the PEM file once`);
    }
  }
  if (cert.kind !== 'ok' || key.kind !== 'ok') return fail();

  const inspection = inspectPem(cert.text, key.text, (options.now ?? (() => new Date()))());
  for (const p of inspection.problems) {
    const path = p.part === 'cert' ? cert.path : key.path;
    const origin = p.part === 'cert' ? CERT_KEY : KEY_KEY;
    report(p.severity, p.code, path, `${origin}: ${p.message}`);
  }
  return inspection.material === undefined ? fail() : { ok: true, material: inspection.material, diagnostics };
}

/**
 * Validates the Secrets that matter for TLS: every `kubernetes.io/tls` Secret (candidates for SAN fallback) and any
 * other Secret an Ingress names in `spec.tls` (so a wrong type is reported, not silently ignored). Keyed by
 * `namespace/name`, ready for SniTable.build.
 */
export function loadTlsSecrets(
  secrets: readonly LoadedObject<Secret>[],
  ingresses: readonly LoadedObject<Ingress>[],
  options: TlsMaterialOptions = {},
): Map<string, TlsMaterialResult> {
  const referenced = new Set<string>();
  for (const { object } of ingresses) {
    for (const tls of object.spec.tls ?? []) {
      if (tls.secretName) referenced.add(secretKey(object.metadata.namespace ?? 'default', tls.secretName));
    }
  }
  const out = new Map<string, TlsMaterialResult>();
  for (const loaded of secrets) {
    const key = secretKey(loaded.object.metadata.namespace ?? 'default', loaded.object.metadata.name);
    if (loaded.object.type === 'kubernetes.io/tls' || referenced.has(key)) out.set(key, loadTlsMaterial(loaded, options));
  }
  return out;
}

type Field =
  | { readonly kind: 'ok'; readonly text: string; readonly path: readonly string[] }
  | { readonly kind: 'missing' }
  | { readonly kind: 'bad-base64' | 'double-base64'; readonly path: readonly string[] };

function readField(secret: Secret, name: string): Field {
  const plain = secret.stringData?.[name];
  if (plain !== undefined && plain !== '') return { kind: 'ok', text: plain, path: ['stringData', name] };
  const encoded = secret.data?.[name];
  if (encoded === undefined || encoded === '') return { kind: 'missing' };
  const path = ['data', name];
  const text = decodeBase64(encoded);
  if (text === undefined) return { kind: 'bad-base64', path };
  if (!text.includes('-----BEGIN')) {
    const twice = decodeBase64(text);
    if (twice?.includes('-----BEGIN')) return { kind: 'double-base64', path };
  }
  return { kind: 'ok', text, path };
}

/** Strict base64 (Buffer.from would silently skip bad characters); whitespace and line breaks are allowed. */
function decodeBase64(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}
