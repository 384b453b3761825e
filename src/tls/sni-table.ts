/**
 * The SNI table: an immutable map from server name to certificate, built once per configuration and read on every
 * handshake. Selection order: an Ingress tls host (exact, then `*.example.com` covering one label), then any loaded
 * certificate whose SANs cover the name (exact SAN, then wildcard SAN), else the default certificate; no SNI at all
 * gets the default. Lookups never insert, so client-chosen names cannot grow it.
 *
 * Secure contexts are made here, once per certificate chain, and reused from the previous table on reload, so a
 * handshake only does a map lookup and unchanged certificates keep their contexts (and session caches).
 */
import { createSecureContext } from 'node:tls';
import type { SecureContext, SecureContextOptions } from 'node:tls';
import type { Diagnostic, Severity } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Code } from '../errors.ts';
import type { Ingress } from '../k8s/types.ts';
import { objectRef } from '../k8s/types.ts';
import { normalizeServerName, parentDomain, sansCover, wildcardSuffix } from './server-name.ts';
import type { TlsMaterial, TlsMaterialResult } from './tls-material.ts';
import { secretKey } from './tls-material.ts';

/** Which rule chose the certificate. */
export type SniMatch = 'exact' | 'wildcard' | 'san' | 'san-wildcard' | 'default';

export interface SniEntry {
  readonly match: SniMatch;
  /** `namespace/name` of the Secret; absent for the default certificate. */
  readonly secret?: string;
  readonly material: TlsMaterial;
  readonly context: SecureContext;
}

/** Options for every secure context (minimum version, ciphers…); cert and key come from the material. */
export type ContextOptions = Omit<SecureContextOptions, 'cert' | 'key' | 'pfx' | 'passphrase'>;

export interface SniTableInput {
  readonly ingresses: readonly LoadedObject<Ingress>[];
  /** Every Secret validated as TLS material, by `namespace/name` (see loadTlsSecrets). */
  readonly secrets: ReadonlyMap<string, TlsMaterialResult>;
  readonly defaultCertificate: TlsMaterial;
  /** Defaults to TLS 1.2 minimum with Node's default cipher list. */
  readonly contextOptions?: ContextOptions;
  /** The table being replaced: its contexts are reused for unchanged certificates. */
  readonly previous?: SniTable;
}

export interface SniTableBuild {
  readonly table: SniTable;
  readonly diagnostics: readonly Diagnostic[];
  /** How many secure contexts were created and reused; a reload of unchanged certificates creates none. */
  readonly contexts: { readonly created: number; readonly reused: number };
}

const DEFAULT_CONTEXT_OPTIONS: ContextOptions = { minVersion: 'TLSv1.2' };

export class SniTable {
  readonly #exact: ReadonlyMap<string, SniEntry>;
  readonly #wildcard: ReadonlyMap<string, SniEntry>;
  readonly #sanExact: ReadonlyMap<string, SniEntry>;
  readonly #sanWildcard: ReadonlyMap<string, SniEntry>;
  readonly #default: SniEntry;
  readonly #contexts: ReadonlyMap<string, SecureContext>;

  /** Use SniTable.build. */
  private constructor(parts: {
    exact: ReadonlyMap<string, SniEntry>;
    wildcard: ReadonlyMap<string, SniEntry>;
    sanExact: ReadonlyMap<string, SniEntry>;
    sanWildcard: ReadonlyMap<string, SniEntry>;
    default: SniEntry;
    contexts: ReadonlyMap<string, SecureContext>;
  }) {
    this.#exact = parts.exact;
    this.#wildcard = parts.wildcard;
    this.#sanExact = parts.sanExact;
    this.#sanWildcard = parts.sanWildcard;
    this.#default = parts.default;
    this.#contexts = parts.contexts;
  }

  /** Builds a table; problems become diagnostics on the Ingresses, never a failed build. */
  static build(input: SniTableInput): SniTableBuild {
    const options = input.contextOptions ?? DEFAULT_CONTEXT_OPTIONS;
    const optionsKey = JSON.stringify(options);
    const reusable = input.previous === undefined ? new Map<string, SecureContext>() : input.previous.#contexts;
    const contexts = new Map<string, SecureContext>();
    const counts = { created: 0, reused: 0 };
    const contextFor = (material: TlsMaterial): SecureContext => {
      const key = `${optionsKey}|${material.chain.map((c) => c.fingerprint256).join(',')}`;
      let context = contexts.get(key);
      if (context !== undefined) return context;
      context = reusable.get(key);
      if (context !== undefined) counts.reused++;
      else {
        context = createSecureContext({ ...options, cert: material.certPem, key: material.keyPem });
        counts.created++;
      }
      contexts.set(key, context);
      return context;
    };
    const entry = (match: SniMatch, material: TlsMaterial, secret?: string): SniEntry =>
      secret === undefined ? { match, material, context: contextFor(material) } : { match, secret, material, context: contextFor(material) };

    // OpenSSL can still refuse material that parsed (a key too weak for its security level, say): such a Secret is
    // treated as broken like any other, rather than failing the whole table.
    const secrets = new Map<string, TlsMaterialResult>();
    for (const [key, result] of input.secrets) {
      try {
        if (result.ok) contextFor(result.material);
        secrets.set(key, result);
      } catch (e) {
        const message = `OpenSSL refused the certificate or key (${e instanceof Error ? e.message : String(e)}); check the key size and signature algorithm`;
        secrets.set(key, { ok: false, diagnostics: [...result.diagnostics, { severity: 'error', code: 'EW_TLS_SECRET_INVALID', message }] });
      }
    }
    const defaultEntry = entry('default', input.defaultCertificate);
    const diagnostics: Diagnostic[] = [];
    const exact = new Map<string, SniEntry>();
    const wildcard = new Map<string, SniEntry>();
    // Hosts of broken or missing Secrets: served with the default certificate unless a working entry claims them.
    const fallbackHosts = new Set<string>();

    for (const loaded of oldestFirst(input.ingresses)) {
      const ingress = loaded.object;
      const namespace = ingress.metadata.namespace ?? 'default';
      const report = (severity: Severity, code: Code, path: readonly (string | number)[], message: string): void => {
        diagnostics.push({ severity, code, message, position: loaded.locate(path), object: objectRef(ingress), field: formatFieldPath(path) });
      };
      for (const [i, tls] of (ingress.spec.tls ?? []).entries()) {
        if (tls.secretName === undefined || tls.secretName === '') continue;
        const key = secretKey(namespace, tls.secretName);
        const hosts = (tls.hosts ?? []).map(normalizeServerName);
        const hostList = hosts.length === 0 ? 'its hosts' : hosts.join(', ');
        const result = secrets.get(key);
        if (result === undefined || !result.ok) {
          const why =
            result === undefined
              ? `Secret ${key} does not exist; create it (for example with \`edgeway certs issue\`)`
              : `Secret ${key} is unusable: ${firstError(result.diagnostics)}`;
          const code = result === undefined ? 'EW_TLS_SECRET_MISSING' : 'EW_TLS_SECRET_INVALID';
          report('error', code, ['spec', 'tls', i, 'secretName'], `${why}; ${hostList} get the default certificate until it is fixed`);
          for (const host of hosts) fallbackHosts.add(host);
          continue;
        }
        for (const [j, host] of hosts.entries()) {
          const path = ['spec', 'tls', i, 'hosts', j];
          const covered = sansCover(result.material.sans, host);
          if (!covered) report('warning', 'EW_TLS_HOST_NOT_COVERED', path, notCoveredMessage(key, result.material, host));
          const suffix = wildcardSuffix(host);
          const map = suffix === undefined ? exact : wildcard;
          const mapKey = suffix ?? host;
          const taken = map.get(mapKey);
          // A certificate that does not name the host is never presented for it (clients would reject it anyway):
          // the host gets the default certificate unless another entry covers it.
          if (taken === undefined) {
            if (covered) map.set(mapKey, entry(suffix === undefined ? 'exact' : 'wildcard', result.material, key));
            else fallbackHosts.add(host);
          } else if (taken.secret !== key) {
            report(
              'warning',
              'EW_TLS_HOST_CONFLICT',
              path,
              `${host} already uses Secret ${taken.secret ?? ''} from an older Ingress; this entry is ignored for it: keep one tls entry per host`,
            );
          }
        }
      }
    }
    for (const host of fallbackHosts) {
      const suffix = wildcardSuffix(host);
      const map = suffix === undefined ? exact : wildcard;
      if (!map.has(suffix ?? host)) map.set(suffix ?? host, defaultEntry);
    }

    const sanExact = new Map<string, SniEntry>();
    const sanWildcard = new Map<string, SniEntry>();
    for (const key of [...secrets.keys()].sort()) {
      const result = secrets.get(key);
      if (result === undefined || !result.ok) continue;
      for (const san of result.material.sans) {
        const suffix = wildcardSuffix(san);
        if (suffix === undefined) {
          if (!sanExact.has(san)) sanExact.set(san, entry('san', result.material, key));
        } else if (!sanWildcard.has(suffix)) sanWildcard.set(suffix, entry('san-wildcard', result.material, key));
      }
    }

    const table = new SniTable({ exact, wildcard, sanExact, sanWildcard, default: defaultEntry, contexts });
    return { table, diagnostics, contexts: counts };
  }

  /** The certificate for a handshake; `undefined` or empty means the client sent no SNI. */
  select(serverName: string | undefined): SniEntry {
    if (serverName === undefined || serverName === '') return this.#default;
    const name = normalizeServerName(serverName);
    const parent = parentDomain(name);
    return (
      this.#exact.get(name) ??
      (parent === undefined ? undefined : this.#wildcard.get(parent)) ??
      this.#sanExact.get(name) ??
      (parent === undefined ? undefined : this.#sanWildcard.get(parent)) ??
      this.#default
    );
  }

  /** The default certificate's entry: the listener's own identity for clients without SNI. */
  get defaultEntry(): SniEntry {
    return this.#default;
  }

  /** Ready for `tls.createServer({ SNICallback })`; a bound function, so it can be passed around as is. */
  readonly sniCallback = (servername: string, callback: (err: Error | null, context?: SecureContext) => void): void => {
    callback(null, this.select(servername).context);
  };
}

/** Older Ingresses win host conflicts, as for routes; ties broken by namespace/name so the result is stable. */
function oldestFirst(ingresses: readonly LoadedObject<Ingress>[]): LoadedObject<Ingress>[] {
  const stamp = (l: LoadedObject<Ingress>): string => l.object.metadata.creationTimestamp ?? '\uffff';
  const ref = (l: LoadedObject<Ingress>): string => `${l.object.metadata.namespace ?? 'default'}/${l.object.metadata.name}`;
  return [...ingresses].sort((a, b) => stamp(a).localeCompare(stamp(b)) || ref(a).localeCompare(ref(b)));
}

function notCoveredMessage(secret: string, material: TlsMaterial, host: string): string {
  const sans = material.sans.length === 0 ? 'no DNS names' : material.sans.join(', ');
  return `the certificate in Secret ${secret} covers ${sans}, not ${host}; ${host} gets the default certificate instead: issue a certificate that includes ${host}`;
}

function firstError(diagnostics: readonly Diagnostic[]): string {
  const d = diagnostics.find((x) => x.severity === 'error');
  return d === undefined ? 'it is not valid TLS material' : `${d.field ? `${d.field}: ` : ''}${d.message}`;
}
