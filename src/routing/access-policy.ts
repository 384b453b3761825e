/**
 * Who may use an Ingress's routes, compiled once per snapshot from ingress-nginx's protective annotations, so the
 * data plane (dataplane/request/access-control.ts) only compares: source ranges (`whitelist-source-range`, its newer
 * name `allowlist-source-range`, and `denylist-source-range`), basic authentication (`auth-type: basic`,
 * `auth-secret`, `auth-secret-type`, `auth-realm`) and per-client limits (`limit-rps`, `limit-rpm`,
 * `limit-burst-multiplier`, `limit-connections`, `limit-whitelist`).
 *
 * These annotations exist to keep people out, so they fail closed: a value edgeway cannot use (a bad CIDR, a
 * missing Secret, an auth type it does not implement) is an error diagnostic and the Ingress's routes answer every
 * request with 503 (as ingress-nginx denies such a location), never an open route. Pure: the Secret is read
 * through the store reader, so a change to it recompiles the Ingress (routes-memo.ts).
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import { objectRef, type Ingress, type Secret } from '../k8s/types.ts';
import { formatIp, parseCidr, parseIp } from '../net/ip-range.ts';
import type { StoreReader } from '../store/object-store.ts';
import { parseAuthMap, parseHtpasswd, type Credential, type ParsedCredentials } from './htpasswd.ts';

const NGINX = 'nginx.ingress.kubernetes.io/';

export interface BasicAuth {
  /** The whole `WWW-Authenticate` value, built once. */
  readonly challenge: string;
  readonly users: ReadonlyMap<string, Credential>;
}

/** Per client address; ingress-nginx's defaults and names. */
export interface ClientLimits {
  /** Requests per second, 0 = none; bursts of rps × multiplier pass at once. */
  readonly rps: number;
  /** Requests per minute, 0 = none; bursts of rpm × multiplier. */
  readonly rpm: number;
  readonly burstMultiplier: number;
  /** Requests in flight (and open tunnels) per client, 0 = none. */
  readonly connections: number;
  /** CIDRs the limits do not apply to. */
  readonly exempt: readonly string[];
}

export interface AccessPolicy {
  /**
   * Names the limit state kept for these routes (`namespace/name` of the Ingress and the limits): the data plane's
   * counters live under it across reloads and are dropped when no route carries it any more.
   */
  readonly key: string;
  /** A protective annotation could not be used: every request is refused (503). */
  readonly refuseAll: boolean;
  /** CIDRs allowed; null allows every address. */
  readonly allow: readonly string[] | null;
  /** CIDRs refused (403); checked first. */
  readonly deny: readonly string[];
  readonly auth: BasicAuth | null;
  readonly limits: ClientLimits | null;
}

export interface CompiledAccess {
  /** null: the Ingress has none of these annotations. */
  readonly access: AccessPolicy | null;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * ingress-nginx annotations that put authentication in front of a route and that edgeway does not implement
 * (external authentication, client certificates): their routes refuse every request rather than serve unprotected.
 */
export const UNIMPLEMENTED_AUTH: readonly string[] = ['auth-url', 'auth-tls-secret'];

export const DEFAULT_REALM = 'Authentication required';
const DEFAULT_BURST_MULTIPLIER = 5;

export function compileAccessPolicy(store: StoreReader, loaded: LoadedObject<Ingress>): CompiledAccess {
  const annotations = loaded.object.metadata.annotations ?? {};
  const diagnostics: Diagnostic[] = [];
  let refuseAll = false;
  let touched = false;
  const read = (name: string): string | undefined => {
    const value = annotations[NGINX + name];
    if (value !== undefined) touched = true;
    return value;
  };
  const report = (severity: Diagnostic['severity'], code: string, name: string, message: string): void => {
    const field = ['metadata', 'annotations', NGINX + name];
    diagnostics.push({ severity, code, message, position: loaded.locate(field), object: objectRef(loaded.object), field: formatFieldPath(field) });
  };
  const fail = (code: string, name: string, message: string): undefined => {
    refuseAll = true;
    report('error', code, name, `${message}; until it is fixed, every request to this Ingress's routes is refused (503)`);
    return undefined;
  };
  const cidrs = (name: string): readonly string[] | undefined => {
    const text = read(name);
    if (text === undefined) return undefined;
    const out: string[] = [];
    for (const part of text.split(',')) {
      const entry = part.trim();
      if (entry === '') continue;
      const cidr = canonicalCidr(entry);
      if (cidr === undefined) return fail('EW_ANNOTATION_INVALID', name, `"${entry}" is not a CIDR or an IP address`);
      out.push(cidr);
    }
    return out;
  };
  const count = (name: string): number | undefined => {
    const text = read(name);
    if (text === undefined) return undefined;
    const n = /^[0-9]{1,9}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
    return Number.isNaN(n) ? fail('EW_ANNOTATION_INVALID', name, `"${text}" is not a whole number`) : n;
  };

  // Authentication edgeway does not implement: serving the route open would drop the protection it asked for.
  for (const name of UNIMPLEMENTED_AUTH) {
    if (read(name) !== undefined) fail('EW_ANNOTATION_UNSUPPORTED', name, `${NGINX}${name} asks for authentication edgeway does not implement`);
  }
  const allowName = annotations[`${NGINX}allowlist-source-range`] !== undefined ? 'allowlist-source-range' : 'whitelist-source-range';
  const allowed = cidrs(allowName);
  if (allowed !== undefined && allowed.length === 0)
    fail('EW_ANNOTATION_INVALID', allowName, 'an empty list allows no one: list the CIDRs to allow, or remove the annotation');
  if (annotations[`${NGINX}allowlist-source-range`] !== undefined && annotations[`${NGINX}whitelist-source-range`] !== undefined) {
    report('warning', 'EW_ANNOTATION_IGNORED', 'whitelist-source-range', 'allowlist-source-range is set too and wins; this older name is not read');
  }
  const deny = cidrs('denylist-source-range') ?? [];
  const auth = basicAuth(store, loaded, read, fail, report);
  const rps = count('limit-rps') ?? 0;
  const rpm = count('limit-rpm') ?? 0;
  const connections = count('limit-connections') ?? 0;
  const multiplier = count('limit-burst-multiplier');
  if (multiplier === 0) fail('EW_ANNOTATION_INVALID', 'limit-burst-multiplier', 'a burst multiplier of 0 would refuse every request');
  const exempt = cidrs('limit-whitelist') ?? [];
  if (!touched) return { access: null, diagnostics };
  const limited = rps > 0 || rpm > 0 || connections > 0;
  const limits: ClientLimits | null = limited
    ? Object.freeze({ rps, rpm, burstMultiplier: multiplier ?? DEFAULT_BURST_MULTIPLIER, connections, exempt: Object.freeze(exempt) })
    : null;
  const { namespace, name } = loaded.object.metadata;
  const key = `${namespace ?? 'default'}/${name}\0${rps}/${rpm}/${limits?.burstMultiplier ?? 0}/${connections}`;
  const access: AccessPolicy = Object.freeze({
    key,
    refuseAll,
    allow: allowed === undefined ? null : Object.freeze(allowed),
    deny: Object.freeze(deny),
    auth,
    limits,
  });
  return { access, diagnostics };
}

/** `10.0.0.0/8`, or a bare address as a /32 or /128; canonical, host bits masked. */
export function canonicalCidr(text: string): string | undefined {
  let written = text;
  if (!text.includes('/')) {
    const ip = parseIp(text);
    if (ip === undefined) return undefined;
    written = `${text}/${ip.family === 'IPv4' ? 32 : 128}`;
  }
  const parsed = parseCidr(written);
  if (!parsed.ok) return undefined;
  return `${formatIp({ family: parsed.value.family, value: parsed.value.first })}/${parsed.value.prefix}`;
}

type Read = (name: string) => string | undefined;
type Fail = (code: string, name: string, message: string) => undefined;
type Report = (severity: Diagnostic['severity'], code: string, name: string, message: string) => void;

function basicAuth(store: StoreReader, loaded: LoadedObject<Ingress>, read: Read, fail: Fail, report: Report): BasicAuth | null {
  const type = read('auth-type');
  const secretName = read('auth-secret');
  const secretType = read('auth-secret-type');
  const realm = read('auth-realm');
  if (type === undefined) {
    if (secretName !== undefined)
      fail('EW_ANNOTATION_INVALID', 'auth-secret', 'auth-secret is set without auth-type: basic, so it is unclear whether authentication was meant');
    return null;
  }
  if (type.trim() !== 'basic') {
    fail('EW_ANNOTATION_INVALID', 'auth-type', `"${type}" authentication is not implemented (only "basic")`);
    return null;
  }
  if (secretName === undefined || secretName.trim() === '') {
    fail('EW_AUTH_SECRET_INVALID', 'auth-type', 'auth-type: basic needs auth-secret, the Secret holding the htpasswd file');
    return null;
  }
  const own = loaded.object.metadata.namespace ?? 'default';
  const slash = secretName.indexOf('/');
  const namespace = slash === -1 ? own : secretName.slice(0, slash).trim();
  const name = slash === -1 ? secretName.trim() : secretName.slice(slash + 1).trim();
  if (namespace !== own) {
    fail('EW_AUTH_SECRET_INVALID', 'auth-secret', `Secret ${namespace}/${name} is in another namespace; an Ingress may only use Secrets of its own namespace`);
    return null;
  }
  const found = store.get<Secret>('Secret', namespace, name);
  if (found === undefined) {
    fail('EW_AUTH_SECRET_INVALID', 'auth-secret', `Secret ${namespace}/${name} does not exist`);
    return null;
  }
  const data = secretData(found.object);
  const mode = secretType === undefined ? 'auth-file' : secretType.trim();
  let parsed: ParsedCredentials;
  if (mode === 'auth-file') {
    const file = data.get('auth');
    if (file === undefined) {
      fail('EW_AUTH_SECRET_INVALID', 'auth-secret', `Secret ${namespace}/${name} has no "auth" key holding the htpasswd file`);
      return null;
    }
    parsed = parseHtpasswd(file);
  } else if (mode === 'auth-map') {
    parsed = parseAuthMap(data);
  } else {
    fail('EW_ANNOTATION_INVALID', 'auth-secret-type', `"${secretType}" is neither auth-file nor auth-map`);
    return null;
  }
  for (const problem of parsed.problems) report('warning', 'EW_HTPASSWD_REFUSED', 'auth-secret', `Secret ${namespace}/${name}: ${problem}`);
  if (parsed.users.size === 0)
    report('warning', 'EW_HTPASSWD_REFUSED', 'auth-secret', `Secret ${namespace}/${name} holds no usable user: every request gets 401`);
  const shownRealm = (realm ?? DEFAULT_REALM).replace(/["\\\r\n]/g, '');
  return Object.freeze({ challenge: `Basic realm="${shownRealm}", charset="UTF-8"`, users: parsed.users });
}

/** Every key of the Secret as text: stringData wins over data, as the API server merges them. */
function secretData(secret: Secret): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(secret.data ?? {})) out.set(key, Buffer.from(value, 'base64').toString('utf8'));
  for (const [key, value] of Object.entries(secret.stringData ?? {})) out.set(key, value);
  return out;
}
