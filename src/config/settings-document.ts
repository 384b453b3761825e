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
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Diagnostic } from './diagnostic.ts';
import { formatFieldPath } from './diagnostic.ts';
import type { LoadedObject } from './loaded-object.ts';
import { objectRef } from '../k8s/types.ts';
import type { BackendRef, ClusterSettings, HashOnSetting, HostPort, Settings } from './settings.ts';
import { DEFAULT_HTTPS, DEFAULT_SETTINGS } from './settings-defaults.ts';
import { checkSettingsSchema } from './settings-schema.ts';
import { parseAddressSettings } from './address-settings.ts';
import { parseRetryOn, parseSize, type RetryOn } from './retry-policy.ts';
import type { FieldPath } from './yaml-source.ts';

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

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

export function resolveSettings(doc: LoadedObject | undefined): { settings: Settings; diagnostics: Diagnostic[] } {
  if (doc === undefined) return { settings: DEFAULT_SETTINGS, diagnostics: [] };
  const schema = checkSettingsSchema(doc);
  const diagnostics: Diagnostic[] = [...schema.diagnostics];
  const invalid: FieldPath[] = [...schema.invalid];
  const overlaps = (a: FieldPath, b: FieldPath): boolean => a.slice(0, b.length).every((s, i) => s === b[i]) || b.slice(0, a.length).every((s, i) => s === a[i]);
  const raw = (path: FieldPath): unknown => {
    if (invalid.some((bad) => overlaps(bad, path))) return undefined;
    let current: unknown = doc.object;
    for (const s of path) current = typeof current === 'object' && current !== null ? (current as Record<string | number, unknown>)[s] : undefined;
    return current;
  };
  const reject = (path: FieldPath, message: string): undefined => {
    invalid.push(path);
    diagnostics.push({ severity: 'error', code: 'EW_SETTINGS_INVALID', message, position: doc.locate(path), object: objectRef(doc.object), field: formatFieldPath(path) });
    return undefined;
  };
  const pick = <T>(path: FieldPath, fallback: T): T => (raw(path) ?? fallback) as T;
  const duration = (path: FieldPath, fallback: number): number => {
    const text = raw(path);
    if (typeof text !== 'string') return fallback;
    return parseDuration(text) ?? reject(path, `${JSON.stringify(text)} is not a duration: write e.g. "500ms", "5s" or "2m"`) ?? fallback;
  };
  const address = (path: FieldPath, fallback: HostPort): HostPort => {
    const text = raw(path);
    if (typeof text !== 'string') return fallback;
    return parseHostPort(text) ?? reject(path, `${JSON.stringify(text)} is not host:port with a port up to 65535: write e.g. "127.0.0.1:8080" or "[::1]:8080"`) ?? fallback;
  };
  /** An address whose absence means "off": a bad one is reported and also leaves the feature off. */
  const optionalAddress = (path: FieldPath): HostPort | null => {
    const text = raw(path);
    if (typeof text !== 'string') return null;
    return parseHostPort(text) ?? reject(path, `${JSON.stringify(text)} is not host:port with a port up to 65535: write e.g. "127.0.0.1:5353" (left off until fixed)`) ?? null;
  };
  const entrypoint = (name: 'http' | 'https', fallback: HostPort | null): HostPort | null => {
    const base = ['spec', 'entrypoints', name];
    const written = raw(base) !== undefined;
    if (raw([...base, 'enabled']) === false) return null;
    if (!written) return fallback;
    return address([...base, 'address'], fallback ?? DEFAULT_HTTPS);
  };

  const size = (path: FieldPath, fallback: number): number => {
    const value = raw(path);
    if (typeof value === 'number') return value;
    if (typeof value !== 'string') return fallback;
    return parseSize(value) ?? reject(path, `${JSON.stringify(value)} is not a size: write bytes, or e.g. "512k", "8m", "1g"`) ?? fallback;
  };
  const retryOn = (path: FieldPath, fallback: RetryOn): RetryOn => {
    const value = raw(path);
    if (typeof value !== 'string') return fallback;
    const parsed = parseRetryOn(value);
    if ('unknown' in parsed) return reject(path, `"${parsed.unknown}" is not a retry condition: use a comma-separated list of connect-failure, reset, timeout, 500, 502, 503, 504, 5xx, gateway-error`) ?? fallback;
    return parsed;
  };

  const proxies = raw(['spec', 'trustedProxies']);
  let trustedProxies: readonly string[] = DEFAULT_SETTINGS.trustedProxies;
  if (Array.isArray(proxies)) {
    const bad = proxies.findIndex((p) => typeof p !== 'string' || !isCidr(p));
    if (bad === -1) trustedProxies = proxies as string[];
    else reject(['spec', 'trustedProxies', bad], `${JSON.stringify(proxies[bad])} is not a CIDR: write e.g. "10.0.0.0/8" or "fd00::/8" (no proxy is trusted until this is fixed)`);
  }

  const d = DEFAULT_SETTINGS;
  const hashOnText = raw(['spec', 'balancing', 'hashOn']);
  const settings: Settings = {
    http: entrypoint('http', d.http),
    https: entrypoint('https', d.https),
    tls: {
      defaultCertificate: secretRef(raw(['spec', 'tls', 'defaultCertificate'])),
      certificatesDir: pick(['spec', 'tls', 'certificatesDir'], d.tls.certificatesDir),
      minVersion: pick(['spec', 'tls', 'minVersion'], d.tls.minVersion),
      ciphers: pick(['spec', 'tls', 'ciphers'], d.tls.ciphers),
    },
    admin: address(['spec', 'admin', 'address'], d.admin),
    stateDir: pick(['spec', 'stateDir'], d.stateDir),
    controllerName: pick(['spec', 'ingress', 'controllerName'], d.controllerName),
    defaultBackend: backendRef(raw(['spec', 'defaultBackend', 'service'])),
    externalName: { enabled: pick(['spec', 'externalName', 'enabled'], d.externalName.enabled) },
    trustedProxies,
    forwardProxyAuthorization: pick(['spec', 'forwardProxyAuthorization'], d.forwardProxyAuthorization),
    upstream: {
      connections: pick(['spec', 'upstream', 'connections'], d.upstream.connections),
      pipelining: pick(['spec', 'upstream', 'pipelining'], d.upstream.pipelining),
      keepAliveTimeoutMs: duration(['spec', 'upstream', 'keepAliveTimeout'], d.upstream.keepAliveTimeoutMs),
      keepAliveMaxTimeoutMs: duration(['spec', 'upstream', 'keepAliveMaxTimeout'], d.upstream.keepAliveMaxTimeoutMs),
      connectTimeoutMs: duration(['spec', 'upstream', 'connectTimeout'], d.upstream.connectTimeoutMs),
      headersTimeoutMs: duration(['spec', 'upstream', 'headersTimeout'], d.upstream.headersTimeoutMs),
      bodyTimeoutMs: duration(['spec', 'upstream', 'bodyTimeout'], d.upstream.bodyTimeoutMs),
    },
    downstream: {
      keepAliveTimeoutMs: duration(['spec', 'downstream', 'keepAliveTimeout'], d.downstream.keepAliveTimeoutMs),
      headersTimeoutMs: duration(['spec', 'downstream', 'headersTimeout'], d.downstream.headersTimeoutMs),
      requestTimeoutMs: duration(['spec', 'downstream', 'requestTimeout'], d.downstream.requestTimeoutMs),
      maxHeaderBytes: pick(['spec', 'downstream', 'maxHeaderBytes'], d.downstream.maxHeaderBytes),
      maxHeadersCount: pick(['spec', 'downstream', 'maxHeadersCount'], d.downstream.maxHeadersCount),
      maxBodyBytes: size(['spec', 'downstream', 'maxBodySize'], d.downstream.maxBodyBytes),
      idleTimeoutMs: duration(['spec', 'downstream', 'idleTimeout'], d.downstream.idleTimeoutMs),
    },
    retries: {
      policy: {
        retries: pick(['spec', 'retries', 'attempts'], d.retries.policy.retries),
        on: retryOn(['spec', 'retries', 'retryOn'], d.retries.policy.on),
        perTryTimeoutMs: duration(['spec', 'retries', 'perTryTimeout'], d.retries.policy.perTryTimeoutMs),
        totalTimeoutMs: duration(['spec', 'retries', 'timeout'], d.retries.policy.totalTimeoutMs),
      },
      budgetRatio: pick(['spec', 'retries', 'budget', 'ratio'], d.retries.budgetRatio),
      budgetWindowMs: duration(['spec', 'retries', 'budget', 'window'], d.retries.budgetWindowMs),
      budgetMinRetries: pick(['spec', 'retries', 'budget', 'minRetries'], d.retries.budgetMinRetries),
    },
    limits: {
      maxRequests: pick(['spec', 'limits', 'maxRequests'], d.limits.maxRequests),
      maxPendingRequests: pick(['spec', 'limits', 'maxPendingRequests'], d.limits.maxPendingRequests),
    },
    overload: {
      maxEventLoopDelayMs: duration(['spec', 'overload', 'maxEventLoopDelay'], d.overload.maxEventLoopDelayMs),
      maxHeapBytes: size(['spec', 'overload', 'maxHeapSize'], d.overload.maxHeapBytes),
      retryAfterSeconds: pick(['spec', 'overload', 'retryAfterSeconds'], d.overload.retryAfterSeconds),
    },
    runtime: {
      heapGrowthPercent: pick(['spec', 'runtime', 'heapGrowthPercent'], d.runtime.heapGrowthPercent),
    },
    upgrades: {
      idleTimeoutMs: duration(['spec', 'upgrades', 'idleTimeout'], d.upgrades.idleTimeoutMs),
      removedRouteGraceMs: duration(['spec', 'upgrades', 'removedRouteGrace'], d.upgrades.removedRouteGraceMs),
    },
    balancing: {
      policy: pick(['spec', 'balancing', 'policy'], d.balancing.policy),
      hashOn: typeof hashOnText === 'string' ? (parseHashOn(hashOnText) ?? d.balancing.hashOn) : d.balancing.hashOn,
      panicThresholdPercent: pick(['spec', 'balancing', 'panicThresholdPercent'], d.balancing.panicThresholdPercent),
    },
    healthChecks: {
      intervalMs: duration(['spec', 'healthChecks', 'interval'], d.healthChecks.intervalMs),
      timeoutMs: duration(['spec', 'healthChecks', 'timeout'], d.healthChecks.timeoutMs),
      failureThreshold: pick(['spec', 'healthChecks', 'failureThreshold'], d.healthChecks.failureThreshold),
      successThreshold: pick(['spec', 'healthChecks', 'successThreshold'], d.healthChecks.successThreshold),
    },
    outlierDetection: {
      enabled: pick(['spec', 'outlierDetection', 'enabled'], d.outlierDetection.enabled),
      consecutiveFailures: pick(['spec', 'outlierDetection', 'consecutiveFailures'], d.outlierDetection.consecutiveFailures),
      baseEjectionMs: duration(['spec', 'outlierDetection', 'baseEjectionTime'], d.outlierDetection.baseEjectionMs),
      maxEjectionMs: duration(['spec', 'outlierDetection', 'maxEjectionTime'], d.outlierDetection.maxEjectionMs),
      maxEjectionPercent: pick(['spec', 'outlierDetection', 'maxEjectionPercent'], d.outlierDetection.maxEjectionPercent),
    },
    locality: {
      zone: pick(['spec', 'locality', 'zone'], d.locality.zone),
      region: pick(['spec', 'locality', 'region'], d.locality.region),
      overprovisioningFactor: pick(['spec', 'locality', 'overprovisioningFactor'], d.locality.overprovisioningFactor),
      preferClose: pick(['spec', 'locality', 'preferClose'], d.locality.preferClose),
    },
    clusters: clusters(raw(['spec', 'clusters']), doc.position.file, reject),
    logging: {
      level: pick(['spec', 'logging', 'level'], d.logging.level),
      access: pick(['spec', 'logging', 'access'], d.logging.access),
    },
    addresses: parseAddressSettings(raw, reject, duration, d.addresses),
    maxConfigBytes: pick(['spec', 'maxConfigBytes'], d.maxConfigBytes),
    adminAuth: {
      token: pick<string | null>(['spec', 'admin', 'token'], d.adminAuth.token),
      tokenFile: pick<string | null>(['spec', 'admin', 'tokenFile'], d.adminAuth.tokenFile),
    },
    drainTimeoutMs: duration(['spec', 'shutdown', 'drainTimeout'], d.drainTimeoutMs),
    reload: { watch: pick(['spec', 'reload', 'watch'], d.reload.watch) },
    dns: {
      address: optionalAddress(['spec', 'dns', 'address']),
      clusterDomain: pick(['spec', 'dns', 'clusterDomain'], d.dns.clusterDomain),
      ttlSeconds: pick(['spec', 'dns', 'ttl'], d.dns.ttlSeconds),
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
function clusters(value: unknown, settingsFile: string, reject: (path: FieldPath, message: string) => undefined): readonly ClusterSettings[] {
  if (!Array.isArray(value)) return DEFAULT_SETTINGS.clusters;
  const out: ClusterSettings[] = [];
  const base = dirname(settingsFile);
  value.forEach((entry: { name: string; config: string[]; zone?: string; region?: string }, i) => {
    if (entry.name === 'local' || out.some((c) => c.name === entry.name)) {
      reject(['spec', 'clusters', i, 'name'], `cluster name "${entry.name}" is ${entry.name === 'local' ? 'reserved for the main configuration' : 'used twice'}: give each cluster its own name; this entry is ignored`);
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

/** The schema has checked the shape already; only the namespace needs its default. */
function secretRef(value: unknown): Settings['tls']['defaultCertificate'] {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { namespace?: string; name: string };
  return { namespace: v.namespace ?? 'default', name: v.name };
}

/** The schema has checked the shape already; only the namespace needs its default. */
function backendRef(value: unknown): BackendRef | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { namespace?: string; name: string; port: number | string };
  return { namespace: v.namespace ?? 'default', name: v.name, port: v.port };
}
