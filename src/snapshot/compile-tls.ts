/**
 * The TLS part of a snapshot, compiled from the objects: every TLS Secret validated into material (or diagnostics),
 * the served Ingresses whose `spec.tls` the SNI table reads, the settings' default-certificate Secret, and each
 * certificate's expiry for status. Pure: no secure contexts here — those are runtime objects, made once per
 * certificate when the snapshot is bound (dataplane/bound-snapshot.ts → SniTable.build).
 *
 * A Secret that was usable in the previous compilation and is broken now keeps its last good material
 * (tls/last-good.ts), so a bad rotation does not take its hosts' certificate away; the previous TLS part is an input.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Settings } from '../config/settings.ts';
import type { Ingress, IngressClass, Secret } from '../k8s/types.ts';
import { keepLastGood } from '../tls/last-good.ts';
import { servesIngress } from '../routing/ingress-class.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { loadTlsMaterial, loadTlsSecrets, secretKey, type TlsMaterial, type TlsMaterialResult } from '../tls/tls-material.ts';

/** One usable certificate, for /config/status. */
export interface CertificateStatus {
  /** `namespace/name` of the Secret. */
  readonly secret: string;
  readonly sans: readonly string[];
  readonly notAfter: string;
  readonly expired: boolean;
}

export interface SnapshotTls {
  /** Every Secret validated as TLS material, by `namespace/name`. */
  readonly secrets: ReadonlyMap<string, TlsMaterialResult>;
  /** The Ingresses edgeway serves (class matched) that have a `spec.tls`. */
  readonly ingresses: readonly LoadedObject<Ingress>[];
  /** The settings' default certificate Secret when named and usable; null: the generated pair on disk. */
  readonly defaultCertificate: TlsMaterial | null;
  readonly certificates: readonly CertificateStatus[];
}

export interface CompiledTls {
  readonly tls: SnapshotTls;
  readonly diagnostics: readonly Diagnostic[];
}

/** @param previous the last compilation's TLS part, whose usable Secrets stand in for ones broken since. */
export function compileTls(store: ObjectStore, settings: Settings, now: Date, previous?: SnapshotTls): CompiledTls {
  const classes = store.list<IngressClass>('IngressClass').map((l) => l.object);
  const ingresses = store
    .list<Ingress>('Ingress')
    .filter((l) => (l.object.spec.tls?.length ?? 0) > 0 && servesIngress(l.object, classes, settings.controllerName));
  const secrets = keepLastGood(loadTlsSecrets(store.list<Secret>('Secret'), ingresses, { now: () => now }), previous?.secrets);
  const diagnostics: Diagnostic[] = [];
  const certificates: CertificateStatus[] = [];
  for (const [key, result] of secrets) {
    diagnostics.push(...result.diagnostics);
    if (!result.ok) continue;
    const m = result.material;
    certificates.push({ secret: key, sans: m.sans, notAfter: m.notAfter.toISOString(), expired: now > m.notAfter });
  }

  let defaultCertificate: TlsMaterial | null = null;
  const wanted = settings.tls.defaultCertificate;
  if (wanted !== null) {
    const key = secretKey(wanted.namespace, wanted.name);
    // An Opaque Secret no Ingress names is not among `secrets` yet: validate it here.
    const loaded = secrets.has(key) ? undefined : store.get<Secret>('Secret', wanted.namespace, wanted.name);
    const result = secrets.get(key) ?? (loaded === undefined ? undefined : loadTlsMaterial(loaded, { now: () => now }));
    if (loaded !== undefined && result !== undefined) diagnostics.push(...result.diagnostics);
    if (result?.ok === true) defaultCertificate = result.material;
    else {
      diagnostics.push({
        severity: 'error',
        code: 'EW_TLS_DEFAULT_CERT_UNUSABLE',
        object: 'EdgewaySettings',
        field: 'spec.tls.defaultCertificate',
        message:
          result === undefined
            ? `Secret ${key} does not exist; the generated default certificate in ${settings.tls.certificatesDir}/ is served instead. Create the Secret or fix the name.`
            : `Secret ${key} is not usable TLS material (see its diagnostics); the generated default certificate in ${settings.tls.certificatesDir}/ is served instead.`,
      });
    }
  }
  return { tls: { secrets, ingresses, defaultCertificate, certificates }, diagnostics };
}
