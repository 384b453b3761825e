/**
 * Turns the EdgewaySettings document into Settings: schema check (settings-schema.ts), then the conversions a schema
 * cannot express — Go-style durations to milliseconds, `host:port` to HostPort, CIDRs checked.
 *
 * Invalid settings are reported as errors and the bad field keeps its default, while the rest of the document applies
 * and objects are still served. This is safe because every default is the conservative choice: loopback listeners,
 * no trusted proxies, ExternalName off, bounded timeouts. Failing the whole configuration over, say, a mistyped
 * timeout would take every route down for a problem that affects none of them.
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Diagnostic } from './diagnostic.ts';
import { formatFieldPath } from './diagnostic.ts';
import type { LoadedObject } from './loaded-object.ts';
import { objectRef } from '../k8s/types.ts';
import type { BackendRef, ClusterSettings, EtcdSettings, HashOnSetting, HostPort, Settings } from './settings.ts';
import { checkSettingsSchema, schemaDefault } from './settings-schema.ts';
import type { SettingsSpec, SettingsSpecDocument } from './settings-spec.ts';
import { parseAddressSettings } from './address-settings.ts';
import { parseRetryOn, parseSize, type RetryOn } from './retry-policy.ts';
import type { FieldPath } from './yaml-source.ts';

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration (`500ms`, `5s`, `1h30m`, `0`) in whole milliseconds, rounded up; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const part = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (m === null) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
    at = part.lastIndex;
  }
  if (text.length === 0 || !Number.isFinite(total) || total > Number.MAX_SAFE_INTEGER) return undefined;
  return Math.ceil(total);
}

/** `127.0.0.1:8080`, `localhost:80`, `[::1]:8080`; port 0 asks the OS for a free port. */
export function parseHostPort(text: string): HostPort | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):([0-9]{1,5})$/.exec(text);
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  if (m[1] !== undefined) return isIP(m[1]) === 6 ? { host: m[1], port } : undefined;
  const host = m[2] ?? '';
  const hostname = /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$/;
  return isIP(host) === 4 || (isIP(host) === 0 && !/^[0-9.]+$/.test(host) && hostname.test(host)) ? { host, port } : undefined;
}

/** `10.0.0.0/8` or `fd00::/8`: an address and a prefix length that fits it. */
export function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash === -1) return false;
  const family = isIP(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  return family !== 0 && /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** The type of the field at `path` in the document with its schema default filled in (settings-spec.ts). */
type At<T, P extends FieldPath> = P extends readonly [infer K, ...infer R extends FieldPath]
  ? K extends keyof NonNullable<T>
    ? At<NonNullable<T>[K], R>
    : never
  : T;

/** A conversion of a schema default that fails is a bug in the schema, not in the user's document. */
function badDefault(path: FieldPath): never {
  throw new Error(`the schema default of ${formatFieldPath(path)} does not convert`);
}

let defaults: Settings | undefined;

/** Every setting at its schema default: what edgeway runs with when the configuration has no settings document. */
export function defaultSettings(): Settings {
  defaults ??= Object.freeze(readSettings(undefined).settings);
  return defaults;
}

export function resolveSettings(doc: LoadedObject | undefined): { settings: Settings; diagnostics: Diagnostic[] } {
  return doc === undefined ? { settings: defaultSettings(), diagnostics: [] } : readSettings(doc);
}

/**
 * Reads every setting: the value written in `doc` when it is there and valid, else the schema's default for it
 * (the same conversions apply to both). Without a document, every setting takes its default.
 */
function readSettings(doc: LoadedObject | undefined): { settings: Settings; diagnostics: Diagnostic[] } {
  const schema = doc === undefined ? { diagnostics: [], invalid: [] } : checkSettingsSchema(doc);
  const diagnostics: Diagnostic[] = [...schema.diagnostics];
  const invalid: FieldPath[] = [...schema.invalid];
  const overlaps = (a: FieldPath, b: FieldPath): boolean =>
    a.slice(0, b.length).every((s, i) => s === b[i]) || b.slice(0, a.length).every((s, i) => s === a[i]);
  const raw = (path: FieldPath): unknown => {
    if (doc === undefined || invalid.some((bad) => overlaps(bad, path))) return undefined;
    let current: unknown = doc.object;
    for (const s of path) current = typeof current === 'object' && current !== null ? (current as Record<string | number, unknown>)[s] : undefined;
    return current;
  };
  const reject = (path: FieldPath, message: string): undefined => {
    if (doc === undefined) return badDefault(path);
    invalid.push(path);
    diagnostics.push({
      severity: 'error',
      code: 'EW_SETTINGS_INVALID',
      message,
      position: doc.locate(path),
      object: objectRef(doc.object),
      field: formatFieldPath(path),
    });
    return undefined;
  };
  /** The written value, or the schema's default; typed from the schema, whose ajv check has passed for it. */
  const value = <const P extends FieldPath>(path: P): At<SettingsSpecDocument, P> => (raw(path) ?? schemaDefault(path)) as At<SettingsSpecDocument, P>;
  /** Converts the written text, or else the default's; a written text that does not convert is rejected. */
  const convert = <T>(path: FieldPath, parse: (written: string) => T | undefined, message: (written: string) => string): T => {
    const written = raw(path);
    if (typeof written === 'string') {
      const parsed = parse(written);
      if (parsed !== undefined) return parsed;
      reject(path, message(written));
    }
    const fallback = schemaDefault(path);
    return (typeof fallback === 'string' ? parse(fallback) : undefined) ?? badDefault(path);
  };
  const duration = (path: FieldPath): number =>
    convert(path, parseDuration, (text) => `${JSON.stringify(text)} is not a duration: write e.g. "500ms", "5s" or "2m"`);
  const address = (path: FieldPath): HostPort =>
    convert(path, parseHostPort, (text) => `${JSON.stringify(text)} is not host:port with a port up to 65535: write e.g. "127.0.0.1:8080" or "[::1]:8080"`);
  /** An address whose absence means "off": a bad one is reported and also leaves the feature off. */
  const optionalAddress = (path: FieldPath): HostPort | null => {
    const text = raw(path);
    if (typeof text !== 'string') return null;
    return (
      parseHostPort(text) ??
      reject(path, `${JSON.stringify(text)} is not host:port with a port up to 65535: write e.g. "127.0.0.1:5353" (left off until fixed)`) ??
      null
    );
  };
  /** An entrypoint is on when its section is written or has a schema default ({} for http), unless enabled: false. */
  const entrypoint = (name: 'http' | 'https'): HostPort | null => {
    const base = ['spec', 'entrypoints', name] as const;
    if (!value([...base, 'enabled'])) return null;
    if (raw(base) === undefined && schemaDefault(base) === undefined) return null;
    return address([...base, 'address']);
  };
  const size = (path: FieldPath): number => {
    const written = raw(path);
    if (typeof written === 'number') return written;
    if (typeof written === 'string') {
      const parsed = parseSize(written);
      if (parsed !== undefined) return parsed;
      reject(path, `${JSON.stringify(written)} is not a size: write bytes, or e.g. "512k", "8m", "1g"`);
    }
    const fallback = schemaDefault(path);
    return typeof fallback === 'number' ? fallback : ((typeof fallback === 'string' ? parseSize(fallback) : undefined) ?? badDefault(path));
  };
  /** The schema's pattern has checked a written text, which therefore parses. */
  const hashOn = (path: FieldPath): HashOnSetting => {
    const written = raw(path);
    const fallback = schemaDefault(path);
    return (
      (typeof written === 'string' ? parseHashOn(written) : undefined) ?? (typeof fallback === 'string' ? parseHashOn(fallback) : undefined) ?? badDefault(path)
    );
  };
  const retryOn = (path: FieldPath): RetryOn =>
    convert(
      path,
      (text) => {
        const parsed = parseRetryOn(text);
        return 'unknown' in parsed ? undefined : parsed;
      },
      (text) => {
        const parsed = parseRetryOn(text);
        return `"${'unknown' in parsed ? parsed.unknown : text}" is not a retry condition: use a comma-separated list of connect-failure, reset, timeout, 500, 502, 503, 504, 5xx, gateway-error`;
      },
    );

  const proxiesPath = ['spec', 'trustedProxies'] as const;
  const proxies = raw(proxiesPath);
  let trustedProxies: readonly string[] = value(proxiesPath);
  if (Array.isArray(proxies)) {
    const bad = proxies.findIndex((p) => typeof p !== 'string' || !isCidr(p));
    if (bad !== -1) {
      trustedProxies = schemaDefault(proxiesPath) as readonly string[];
      reject(
        [...proxiesPath, bad],
        `${JSON.stringify(proxies[bad])} is not a CIDR: write e.g. "10.0.0.0/8" or "fd00::/8" (no proxy is trusted until this is fixed)`,
      );
    }
  }

  const settings: Settings = {
    http: entrypoint('http'),
    https: entrypoint('https'),
    tls: {
      defaultCertificate: secretRef(value(['spec', 'tls', 'defaultCertificate'])),
      certificatesDir: value(['spec', 'tls', 'certificatesDir']),
      minVersion: value(['spec', 'tls', 'minVersion']),
      ciphers: value(['spec', 'tls', 'ciphers']) ?? null,
    },
    admin: address(['spec', 'admin', 'address']),
    stateDir: value(['spec', 'stateDir']),
    etcd: etcdSettings(value(['spec', 'etcd']), reject),
    replicaName: value(['spec', 'replicaName']) ?? hostname(),
    controllerName: value(['spec', 'ingress', 'controllerName']),
    defaultBackend: backendRef(value(['spec', 'defaultBackend', 'service'])),
    externalName: { enabled: value(['spec', 'externalName', 'enabled']) },
    trustedProxies,
    forwardProxyAuthorization: value(['spec', 'forwardProxyAuthorization']),
    upstream: {
      connections: value(['spec', 'upstream', 'connections']),
      pipelining: value(['spec', 'upstream', 'pipelining']),
      keepAliveTimeoutMs: duration(['spec', 'upstream', 'keepAliveTimeout']),
      keepAliveMaxTimeoutMs: duration(['spec', 'upstream', 'keepAliveMaxTimeout']),
      connectTimeoutMs: duration(['spec', 'upstream', 'connectTimeout']),
      headersTimeoutMs: duration(['spec', 'upstream', 'headersTimeout']),
      bodyTimeoutMs: duration(['spec', 'upstream', 'bodyTimeout']),
    },
    downstream: {
      keepAliveTimeoutMs: duration(['spec', 'downstream', 'keepAliveTimeout']),
      headersTimeoutMs: duration(['spec', 'downstream', 'headersTimeout']),
      requestTimeoutMs: duration(['spec', 'downstream', 'requestTimeout']),
      maxHeaderBytes: value(['spec', 'downstream', 'maxHeaderBytes']),
      maxHeadersCount: value(['spec', 'downstream', 'maxHeadersCount']),
      maxBodyBytes: size(['spec', 'downstream', 'maxBodySize']),
      idleTimeoutMs: duration(['spec', 'downstream', 'idleTimeout']),
      bodyTimeoutMs: duration(['spec', 'downstream', 'bodyTimeout']),
      sendTimeoutMs: duration(['spec', 'downstream', 'sendTimeout']),
      handshakeTimeoutMs: duration(['spec', 'downstream', 'handshakeTimeout']),
      requestBuffering: value(['spec', 'downstream', 'requestBuffering']),
      requestBufferBytes: size(['spec', 'downstream', 'requestBufferSize']),
    },
    retries: {
      policy: {
        retries: value(['spec', 'retries', 'attempts']),
        on: retryOn(['spec', 'retries', 'retryOn']),
        perTryTimeoutMs: duration(['spec', 'retries', 'perTryTimeout']),
        totalTimeoutMs: duration(['spec', 'retries', 'timeout']),
      },
      budgetRatio: value(['spec', 'retries', 'budget', 'ratio']),
      budgetWindowMs: duration(['spec', 'retries', 'budget', 'window']),
      budgetMinRetries: value(['spec', 'retries', 'budget', 'minRetries']),
    },
    limits: {
      maxRequests: value(['spec', 'limits', 'maxRequests']),
      maxPendingRequests: value(['spec', 'limits', 'maxPendingRequests']),
    },
    overload: {
      maxEventLoopDelayMs: duration(['spec', 'overload', 'maxEventLoopDelay']),
      maxHeapBytes: size(['spec', 'overload', 'maxHeapSize']),
      retryAfterSeconds: value(['spec', 'overload', 'retryAfterSeconds']),
    },
    runtime: {
      heapGrowthPercent: value(['spec', 'runtime', 'heapGrowthPercent']),
      workers: value(['spec', 'runtime', 'workers']),
    },
    upgrades: {
      idleTimeoutMs: duration(['spec', 'upgrades', 'idleTimeout']),
      removedRouteGraceMs: duration(['spec', 'upgrades', 'removedRouteGrace']),
    },
    balancing: {
      policy: value(['spec', 'balancing', 'policy']),
      hashOn: hashOn(['spec', 'balancing', 'hashOn']),
      panicThresholdPercent: value(['spec', 'balancing', 'panicThresholdPercent']),
    },
    healthChecks: {
      intervalMs: duration(['spec', 'healthChecks', 'interval']),
      timeoutMs: duration(['spec', 'healthChecks', 'timeout']),
      failureThreshold: value(['spec', 'healthChecks', 'failureThreshold']),
      successThreshold: value(['spec', 'healthChecks', 'successThreshold']),
    },
    outlierDetection: {
      enabled: value(['spec', 'outlierDetection', 'enabled']),
      consecutiveFailures: value(['spec', 'outlierDetection', 'consecutiveFailures']),
      baseEjectionMs: duration(['spec', 'outlierDetection', 'baseEjectionTime']),
      maxEjectionMs: duration(['spec', 'outlierDetection', 'maxEjectionTime']),
      maxEjectionPercent: value(['spec', 'outlierDetection', 'maxEjectionPercent']),
    },
    locality: {
      zone: value(['spec', 'locality', 'zone']) ?? null,
      region: value(['spec', 'locality', 'region']) ?? null,
      overprovisioningFactor: value(['spec', 'locality', 'overprovisioningFactor']),
      preferClose: value(['spec', 'locality', 'preferClose']),
    },
    clusters: clusters(value(['spec', 'clusters']), doc?.position.file ?? '', reject),
    logging: {
      level: value(['spec', 'logging', 'level']),
      access: value(['spec', 'logging', 'access']),
    },
    addresses: parseAddressSettings(raw, reject, duration),
    maxConfigBytes: value(['spec', 'maxConfigBytes']),
    yamlLimits: { maxDepth: value(['spec', 'yaml', 'maxDepth']), maxDocumentChars: value(['spec', 'yaml', 'maxDocumentChars']) },
    adminAuth: {
      token: value(['spec', 'admin', 'token']) ?? null,
      tokenFile: value(['spec', 'admin', 'tokenFile']) ?? null,
    },
    adminCertificate: secretRef(value(['spec', 'admin', 'certificate'])),
    drainTimeoutMs: duration(['spec', 'shutdown', 'drainTimeout']),
    reload: { watch: value(['spec', 'reload', 'watch']) },
    dns: {
      address: optionalAddress(['spec', 'dns', 'address']),
      clusterDomain: value(['spec', 'dns', 'clusterDomain']),
      ttlSeconds: value(['spec', 'dns', 'ttl']),
      forwarders: value(['spec', 'dns', 'forwarders']).flatMap((text, i) => {
        const at = parseHostPort(text);
        if (at !== undefined && at.port !== 0) return [at];
        reject(
          ['spec', 'dns', 'forwarders', i],
          `${JSON.stringify(text)} is not host:port with a port from 1 to 65535: write e.g. "127.0.0.53:53"; this forwarder is left out`,
        );
        return [];
      }),
      federations: value(['spec', 'dns', 'federations']),
    },
  };
  return { settings, diagnostics };
}

/** `header:X-User`, `cookie:session` or `client-ip` (the schema has checked the shape); header names lower-cased. */
export function parseHashOn(text: string): HashOnSetting | undefined {
  if (text === 'client-ip') return { kind: 'client-ip' };
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const name = text.slice(colon + 1);
  if (colon === -1 || name === '' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return undefined;
  if (kind === 'header') return { kind: 'header', name: name.toLowerCase() };
  if (kind === 'cookie') return { kind: 'cookie', name };
  return undefined;
}

/**
 * Cluster entries (shape checked by the schema); config paths are taken relative to the settings file. Two
 * entries with one name are an error on the second, which is left out.
 */
function clusters(
  entries: SettingsSpec['clusters'],
  settingsFile: string,
  reject: (path: FieldPath, message: string) => undefined,
): readonly ClusterSettings[] {
  const out: ClusterSettings[] = [];
  const base = dirname(settingsFile);
  entries.forEach((entry, i) => {
    if (entry.name === 'local' || out.some((c) => c.name === entry.name)) {
      reject(
        ['spec', 'clusters', i, 'name'],
        `cluster name "${entry.name}" is ${entry.name === 'local' ? 'reserved for the main configuration' : 'used twice'}: give each cluster its own name; this entry is ignored`,
      );
      return;
    }
    out.push({
      name: entry.name,
      config: entry.config.map((c) => (isAbsolute(c) ? c : resolve(base, c))),
      zone: entry.zone ?? null,
      region: entry.region ?? null,
    });
  });
  return out;
}

/**
 * The etcd section (shape and URLs checked by the schema). A client certificate without its key, or a key without its
 * certificate, is an error, and etcd stays off until it is fixed: connecting without the certificate etcd asks for
 * would only fail later, less clearly.
 */
function etcdSettings(value: SettingsSpec['etcd'], reject: (path: FieldPath, message: string) => undefined): EtcdSettings | null {
  if (value === undefined) return null;
  const { certFile, keyFile } = value;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const missing = certFile === undefined ? 'certFile' : 'keyFile';
    const written = certFile === undefined ? 'keyFile' : 'certFile';
    return reject(['spec', 'etcd', missing], `is required with ${written}: a client certificate and its key go together (etcd stays off until fixed)`) ?? null;
  }
  return {
    servers: value.servers,
    prefix: value.prefix ?? stringDefault(['spec', 'etcd', 'prefix']),
    caFile: value.caFile ?? null,
    certFile: certFile ?? null,
    keyFile: keyFile ?? null,
  };
}

/** The schema has checked the shape already; only the namespace needs its default. */
function secretRef(value: NonNullable<SettingsSpec['tls']>['defaultCertificate']): Settings['tls']['defaultCertificate'] {
  if (value === undefined) return null;
  return { namespace: value.namespace ?? stringDefault(['spec', 'tls', 'defaultCertificate', 'namespace']), name: value.name };
}

/** The schema has checked the shape already; only the namespace needs its default. */
function backendRef(value: NonNullable<SettingsSpec['defaultBackend']>['service']): BackendRef | null {
  if (value === undefined) return null;
  return { namespace: value.namespace ?? stringDefault(['spec', 'defaultBackend', 'service', 'namespace']), name: value.name, port: value.port };
}

/** A string default inside an object that has no default itself (the reader fills only what it reads by path). */
function stringDefault(path: FieldPath): string {
  const fallback = schemaDefault(path);
  return typeof fallback === 'string' ? fallback : badDefault(path);
}
