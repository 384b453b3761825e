/**
 * Which certificate the admin listener serves, asked on each TLS connection: the Secret named by
 * `spec.admin.certificate` when it is usable TLS material in the current generation, else the certificate issued by
 * the local CA in the state directory (admin-certificate.ts), read once per state dir and admin host. A missing or
 * broken Secret is logged once per problem and the local certificate keeps kubectl working meanwhile.
 */
import type { Settings } from '../config/settings.ts';
import type { Secret } from '../k8s/types.ts';
import type { ObjectStore } from '../store/object-store.ts';
import type { PemPair } from '../tls/pem-pair-files.ts';
import { loadTlsMaterial } from '../tls/tls-material.ts';
import { loadAdminServingCertificate } from './admin-certificate.ts';

export interface AdminCertificateView {
  readonly settings: Settings;
  readonly store: ObjectStore;
}

export class AdminCertificateSource {
  readonly #view: () => AdminCertificateView;
  readonly #warn: (message: string) => void;
  #local: { readonly key: string; readonly pair: Promise<PemPair> } | null = null;
  #lastWarning = '';

  constructor(view: () => AdminCertificateView, warn: (message: string) => void) {
    this.#view = view;
    this.#warn = warn;
  }

  readonly current = (): Promise<PemPair> => {
    const { settings, store } = this.#view();
    const wanted = settings.adminCertificate;
    if (wanted !== null) {
      const loaded = store.get<Secret>('Secret', wanted.namespace, wanted.name);
      const result = loaded === undefined ? undefined : loadTlsMaterial(loaded);
      if (result?.ok === true) {
        this.#lastWarning = '';
        return Promise.resolve({ certPem: result.material.certPem, keyPem: result.material.keyPem });
      }
      const why = result === undefined ? 'does not exist' : `is not usable TLS material (${result.diagnostics.map((d) => d.message).join('; ')})`;
      this.#warnOnce(
        `spec.admin.certificate: Secret ${wanted.namespace}/${wanted.name} ${why}; the admin listener serves the certificate of its local CA instead`,
      );
    }
    const key = `${settings.stateDir}\0${settings.admin.host}`;
    if (this.#local?.key !== key) {
      const pair = loadAdminServingCertificate(settings.stateDir, settings.admin.host);
      this.#local = { key, pair };
      // A failed read is tried again on the next connection rather than remembered.
      pair.catch(() => {
        if (this.#local?.pair === pair) this.#local = null;
      });
    }
    return this.#local.pair;
  };

  #warnOnce(message: string): void {
    if (message === this.#lastWarning) return;
    this.#lastWarning = message;
    this.#warn(message);
  }
}
